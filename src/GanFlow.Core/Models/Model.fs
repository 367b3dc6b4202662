namespace GanFlow.Core.Models

/// Every model family the lab can train. The runtime interprets each case in one place.
[<RequireQualifiedAccess>]
type Model =
    /// A generative adversarial network, trained adversarially.
    | Gan of Gan
