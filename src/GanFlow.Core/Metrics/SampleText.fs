namespace GanFlow.Core.Metrics

open System.Globalization

/// The number rule of every sample file the tool reads (`GanFlow.Store.SampleFile` reads CSV, whitespace-separated
/// text and .npy files of any dimension with it), and the first-column reading of a 1-D sample from text lines.
///
/// `parse`'s rule (one column, 1-D): one value per line; blank (or whitespace-only) lines are skipped; a line may be a
/// row of a header-free CSV file, in which case the first comma-separated column is the value
/// and the other columns are ignored (`1.5`, `1.5,` and `1.5, 2.0` all read 1.5). A value is a
/// finite number in the invariant culture (`.` as decimal point, exponents allowed: `-2.5e-3`);
/// a comma therefore always separates columns. Anything else (words, a header line, NaN,
/// infinities, an empty first column) is an error, as is a file without any value.
module SampleText =

    /// A finite number in the invariant culture, or why the text is not one ("is not a number", "is not a finite
    /// number": NaN, infinities and overflow).
    let number (text: string) =
        match System.Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, value when System.Double.IsFinite value -> Ok value
        | true, _ -> Error "is not a finite number"
        | false, _ -> Error "is not a number"

    /// Parses the lines of the file `fileName` (used in messages only) into its values, in file
    /// order, by the rule above. On the first bad line, returns an error that names the file, the
    /// 1-based line number and the offending text, e.g. `a.txt line 7: "abc" is not a number`.
    let parse (fileName: string) (lines: string seq) : Result<float[], string> =
        let values = ResizeArray<float>()
        let mutable error = None
        use lineEnumerator = lines.GetEnumerator()
        let mutable lineNumber = 0
        while error.IsNone && lineEnumerator.MoveNext() do
            lineNumber <- lineNumber + 1
            let line = lineEnumerator.Current.Trim()
            if line.Length > 0 then
                let firstColumn = line.Split(',').[0].Trim()
                match number firstColumn with
                | Ok value -> values.Add value
                | Error reason ->
                    let shown =
                        if firstColumn = line then sprintf "\"%s\"" line
                        else sprintf "\"%s\" (first column of \"%s\")" firstColumn line
                    error <- Some(sprintf "%s line %d: %s %s" fileName lineNumber shown reason)
        match error with
        | Some message -> Error message
        | None when values.Count = 0 -> Error(sprintf "%s: no values (the file is empty or holds only blank lines)" fileName)
        | None -> Ok(values.ToArray())
