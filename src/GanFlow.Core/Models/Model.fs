namespace GanFlow.Core.Models

/// Every model family the lab can train. The runtime interprets each case in one place.
[<RequireQualifiedAccess>]
type Model =
    /// A generative adversarial network, trained adversarially.
    | Gan of Gan
    /// A normalizing flow, trained by maximum likelihood (OT-Flow: its combined loss).
    | Flow of Flow
