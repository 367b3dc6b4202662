namespace GanFlow.Core.Metrics

open System.Globalization

/// The number rule of every sample file the tool reads (`GanFlow.Store.SampleFile` reads CSV, whitespace-separated
/// text and .npy files of any dimension with it): a value is a finite number in the invariant culture (`.` as decimal
/// point, exponents allowed: `-2.5e-3`), so a comma never is a decimal point; words, NaN, infinities and overflow are not.
module SampleText =

    /// A finite number in the invariant culture, or why the text is not one ("is not a number", "is not a finite
    /// number": NaN, infinities and overflow).
    let number (text: string) =
        match System.Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, value when System.Double.IsFinite value -> Ok value
        | true, _ -> Error "is not a finite number"
        | false, _ -> Error "is not a number"
