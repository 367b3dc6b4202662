module GanFlow.Tests.SampleTextTests

open Expecto
open GanFlow.Core.Metrics

let private parse lines = SampleText.parse "a.txt" lines

[<Tests>]
let tests =
    testList "sample text" [
        test "one number per line parses in order, in the invariant culture" {
            Expect.equal (parse [ "1.5"; "-2"; "3e-2"; "  +4.25  " ]) (Ok [| 1.5; -2.0; 0.03; 4.25 |]) "values"
        }
        test "blank lines are skipped" {
            Expect.equal (parse [ ""; "1"; "   "; "2"; "\t"; "" ]) (Ok [| 1.0; 2.0 |]) "values"
        }
        test "a header-free CSV column is read from its first column" {
            Expect.equal (parse [ "1.5,"; "2.5, 7.0"; "3.5,x,y"; "4.5\r" ]) (Ok [| 1.5; 2.5; 3.5; 4.5 |]) "first column"
        }
        test "text names the file, the line and the text" {
            Expect.equal (parse [ "1"; ""; "2"; "abc" ]) (Error "a.txt line 4: \"abc\" is not a number") "message"
        }
        test "a header line is an error on line 1" {
            Expect.equal (parse [ "value,weight"; "1,2" ]) (Error "a.txt line 1: \"value\" (first column of \"value,weight\") is not a number") "message"
        }
        test "NaN and infinities are rejected" {
            Expect.equal (parse [ "1"; "NaN" ]) (Error "a.txt line 2: \"NaN\" is not a finite number") "NaN"
            Expect.equal (parse [ "Infinity" ]) (Error "a.txt line 1: \"Infinity\" is not a finite number") "Infinity"
            Expect.equal (parse [ "1e999" ]) (Error "a.txt line 1: \"1e999\" is not a finite number") "overflow"
        }
        test "a decimal comma is not read as a decimal point" {
            Expect.equal (parse [ "1,5" ]) (Ok [| 1.0 |]) "comma separates columns"
        }
        test "an empty first column is an error" {
            Expect.equal (parse [ ",5" ]) (Error "a.txt line 1: \"\" (first column of \",5\") is not a number") "message"
        }
        test "an empty file is an error naming the file" {
            Expect.isError (parse []) "no lines"
            Expect.isError (parse [ ""; " " ]) "only blank lines"
            match parse [] with
            | Error message -> Expect.stringStarts message "a.txt" "names the file"
            | Ok _ -> ()
        }
        test "parsing stops reading at the first bad line" {
            let lines = seq { yield "1"; yield "oops"; failwith "read past the error" }
            Expect.isError (parse lines) "first error returned"
        }
    ]
