namespace GanFlow.Report

open System.Globalization
open System.IO

/// Data points followed through a flow (`trajectories.csv`): stage 0 is the data point x, the last stage
/// z = g⁻¹(x); in between the state after each layer (discrete flows) or at equally spaced times of the ODE.
type FlowTrajectories =
    { /// Stage names in order: "x", then e.g. "coupling 1" … or "t = 0.25" …
      Labels: string[]
      /// `Paths[p][k]`: the coordinates of point p after stage k.
      Paths: float[][][] }

module FlowTrajectories =

    /// No trajectories (a GAN run, or a flow run written before trajectories.csv existed).
    let empty = { Labels = [||]; Paths = [||] }

    /// Coordinates per point (0 when empty).
    let dimension (trajectories: FlowTrajectories) =
        match trajectories.Paths with
        | [||] -> 0
        | paths -> paths[0] |> Array.tryHead |> Option.map Array.length |> Option.defaultValue 0

    /// Parses the text of `trajectories.csv` (header `point,stage,label,x…`, then one line per point and stage, points
    /// numbered 0, 1, … and each point's stages 0, 1, … in order); fails naming `source` and the line.
    let parse (source: string) (text: string) =
        let records = GanFlow.Store.CsvRecords.Parse(text, source) |> Array.ofSeq
        let fail line (message: string) : 'a = raise (GanFlow.Store.RunFolderException(sprintf "%s line %d: %s" source line message))
        if records.Length = 0 || records[0].Fields.Length < 4 || records[0].Fields[0..2] <> [| "point"; "stage"; "label" |] then
            fail 1 "expected the header point,stage,label,x…"
        let header = records[0].Fields
        let coordinates = header.Length - 3
        let index line (text: string) =
            match System.Int32.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, v -> v
            | _ -> fail line (sprintf "'%s' is not a point or stage index" text)
        let rows =
            records[1..]
            |> Array.map (fun r ->
                let line, cells = r.Line, r.Fields
                if cells.Length <> coordinates + 3 then fail line (sprintf "%d fields, expected %d" cells.Length (coordinates + 3))
                line, index line cells[0], index line cells[1], cells[2],
                Array.map2 (fun field column -> GanFlow.Store.CsvRecords.Number(field, source, line, column)) cells[3..] header[3..])
        let points = rows |> Array.groupBy (fun (_, p, _, _, _) -> p)
        let stages = match points with [||] -> 0 | _ -> (snd points[0]).Length
        points
        |> Array.iteri (fun i (p, stageRows) ->
            let line, _, _, _, _ = stageRows[0]
            if p <> i then fail line (sprintf "point %d where point %d was expected" p i)
            if stageRows.Length <> stages then fail line (sprintf "point %d has %d stages, point 0 has %d" p stageRows.Length stages)
            stageRows |> Array.iteri (fun k (line, _, stage, _, _) -> if stage <> k then fail line (sprintf "stage %d where stage %d was expected" stage k)))
        { Labels = (match points with [||] -> [||] | _ -> snd points[0] |> Array.map (fun (_, _, _, label, _) -> label))
          Paths = points |> Array.map (fun (_, stageRows) -> stageRows |> Array.map (fun (_, _, _, _, c) -> c)) }

    /// Reads `path`; `empty` when the file is absent.
    let read (path: string) =
        if File.Exists path then parse path (GanFlow.Store.RunStore.ReadText path) else empty
