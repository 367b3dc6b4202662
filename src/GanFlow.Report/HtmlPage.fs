namespace GanFlow.Report

open System.Net
open Plotly.NET

/// A self-contained HTML page: plotly.js is embedded (Plotly.NET ships it as a resource), so
/// the report shows its charts in a browser without network. XPlot.Plotly cannot do this: its
/// pages load plotly.js from a CDN.
module HtmlPage =

    let private plotlyJs =
        lazy
            (let assembly = typeof<GenericChart>.Assembly
             let name =
                 assembly.GetManifestResourceNames()
                 |> Array.tryFind (fun n -> n.StartsWith "Plotly.NET.plotly-" && n.EndsWith ".min.js")
             match name with
             | None -> failwith "Plotly.NET no longer embeds plotly.js; cannot write an offline report"
             | Some name ->
                 match assembly.GetManifestResourceStream name with
                 | null -> failwithf "Plotly.NET resource %s cannot be read" name
                 | stream ->
                     use reader = new System.IO.StreamReader(stream)
                     reader.ReadToEnd())

    /// HTML-escaped text.
    let text (value: string) = WebUtility.HtmlEncode value

    /// A two-column table of label/value rows.
    let table (rows: (string * string) list) =
        let body = rows |> List.map (fun (k, v) -> sprintf "<tr><th>%s</th><td>%s</td></tr>" (text k) (text v)) |> String.concat ""
        sprintf "<table>%s</table>" body

    /// Markdown of headings (`## `), pipe tables and paragraphs as HTML (what the study tables write).
    let markdown (source: string) =
        let blocks = source.Replace("\r", "").Split("\n\n")
        let cells (line: string) = line.Trim().Trim('|').Split('|') |> Array.map (fun c -> c.Trim())
        blocks
        |> Array.map (fun block ->
            let lines = block.Split('\n') |> Array.filter (fun l -> l.Trim() <> "")
            if lines.Length = 0 then ""
            elif lines[0].StartsWith "## " then sprintf "<h2>%s</h2>" (text (lines[0].Substring 3))
            elif lines[0].StartsWith "|" && lines.Length >= 2 then
                let header = cells lines[0] |> Array.map (text >> sprintf "<th>%s</th>") |> String.concat ""
                let body =
                    lines
                    |> Array.skip 2
                    |> Array.map (fun l -> "<tr>" + (cells l |> Array.map (text >> sprintf "<td>%s</td>") |> String.concat "") + "</tr>")
                    |> String.concat ""
                sprintf "<table><tr>%s</tr>%s</table>" header body
            else sprintf "<p>%s</p>" (text (String.concat " " lines)))
        |> String.concat "\n"

    /// A chart's HTML with Plotly.NET's random element ids (GUIDs, also written without their dashes in the name of the
    /// chart's render function) replaced by `chart-N-K`, so that a report rebuilt from the same files is the same bytes.
    let private withStableIds (index: int) (html: string) =
        System.Text.RegularExpressions.Regex.Matches(html, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        |> Seq.map _.Value
        |> Seq.distinct
        |> Seq.indexed
        |> Seq.fold (fun (page: string) (k, guid) ->
            page.Replace(guid, sprintf "chart-%d-%d" index k).Replace(guid.Replace("-", ""), sprintf "chart%d_%d" index k)) html

    /// The page: a title, HTML sections and charts, in order.
    let render (title: string) (sections: string list) (charts: GenericChart list) =
        let chartHtml =
            charts |> List.mapi (fun i chart -> chart |> Chart.withSize(1000, 460) |> GenericChart.toChartHTML |> withStableIds i) |> String.concat "\n"
        $"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{text title}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}} table{{border-collapse:collapse}} th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left}} pre{{background:#f6f6f6;padding:8px;overflow:auto}}</style>
<script type="text/javascript">{plotlyJs.Value}</script>
</head><body>
<h1>{text title}</h1>
{String.concat "\n" sections}
{chartHtml}
</body></html>"""
