/// The one CSV reader of the tool's own files (`GanFlow.Store.CsvRecords`): records with their lines, quoted fields,
/// blank lines skipped, numbers in the invariant culture, errors naming the file and the line.
module GanFlow.Tests.CsvRecordsTests

open Expecto
open GanFlow.Store

[<Tests>]
let tests =
    testList "csv records" [
        test "records keep their fields and lines; quoted commas and doubled quotes survive; blank lines are skipped" {
            let records = CsvRecords.Parse("a,b,c\n\n1, 2 ,3\r\n\"x, y\",\"say \"\"hi\"\"\",NaN\n", "t.csv")
            Expect.equal (records |> Seq.map (fun r -> r.Line) |> List.ofSeq) [ 1; 3; 4 ] "lines"
            Expect.equal (records |> Seq.map (fun r -> List.ofArray r.Fields) |> List.ofSeq)
                [ [ "a"; "b"; "c" ]; [ "1"; "2"; "3" ]; [ "x, y"; "say \"hi\""; "NaN" ] ] "fields"
            Expect.isTrue (System.Double.IsNaN(CsvRecords.Number("NaN", "t.csv", 4, "c"))) "NaN reads"
            Expect.equal (CsvRecords.Number("-1.5E-3", "t.csv", 3, "a")) -1.5e-3 "invariant culture"
        }
        test "a field that is not a number and an unterminated quote are errors naming the file and the line" {
            let message (f: unit -> 'a) = try f () |> ignore; "" with :? RunFolderException as e -> e.Message
            Expect.equal (message (fun () -> CsvRecords.Number("1,5", "t.csv", 7, "x"))) "t.csv line 7: '1,5' in column x is not a number" "number"
            Expect.stringStarts (message (fun () -> CsvRecords.Parse("a,b\n1,\"open\n", "t.csv"))) "t.csv line" "quote"
        }
    ]
