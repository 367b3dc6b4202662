module GanFlow.Tests.SampleFileTests

open System
open System.IO
open Expecto
open GanFlow.Core.Metrics
open GanFlow.Store
open GanFlow.Tests.PointSamples
open GanFlow.Tests.SampleFileWriters

/// A file holding `lines`; returns its path.
let private lines (extension: string) (content: string list) =
    let path = TestFolders.fresh "sample" + extension
    File.WriteAllLines(path, content)
    path

/// The message of the SampleFileException reading `path` raises.
let private failure (path: string) =
    try
        SampleFile.Read path |> ignore
        failwithf "%s read without an error" path
    with :? SampleFileException as e -> e.Message

[<Tests>]
let tests =
    testList "sample files" [
        test "CSV with and without a header, whitespace text and .npy (float64, float32, 1-D) read the same points" {
            for d in [ 1; 2; 20 ] do
                let p = gaussian d d 50 (Array.zeroCreate d) 1.0
                for name, path in [ "csv", csv false p; "csv with header", csv true p; "text", text p; "npy <f8", npy false false p ] do
                    Expect.equal (SampleFile.Read path) p (sprintf "%d-D %s" d name)
                let asFloat32 = { p with Values = p.Values |> Array.map (fun v -> float (float32 v)) }
                Expect.equal (SampleFile.Read(npy true false p)) asFloat32 (sprintf "%d-D npy <f4" d)
            let values = Points.ofValues [| 1.5; -2.0; 3.25 |]
            Expect.equal (SampleFile.Read(npy false true values)) values "1-D npy of shape (n,)"
        }
        test "a file read through a pipe (--x <(cat FILE), /dev/stdin) gives the points the file gives" {
            // The reader opened a file three times (the .npy magic, the first line, the rows): a pipe yields its bytes
            // once, so its first rows were lost and the rest misread, with no error.
            let pipeOf (file: string) (read: string -> 'T) =
                let fifo = TestFolders.fresh "pipe"
                use make = Diagnostics.Process.Start("mkfifo", [ fifo ])
                make.WaitForExit()
                Expect.equal make.ExitCode 0 "mkfifo"
                let writer = Threading.Tasks.Task.Run(fun () -> File.WriteAllBytes(fifo, File.ReadAllBytes file))
                let result = read fifo
                Expect.isTrue (writer.Wait(TimeSpan.FromSeconds 60.0)) "the writer got its bytes through"
                result
            let throughPipe (file: string) = pipeOf file SampleFile.Read
            for d in [ 1; 2; 20 ] do
                let p = gaussian (40 + d) d 2_000 (Array.zeroCreate d) 1.0
                for name, path in [ "csv", csv true p; "text", text p; "npy <f8", npy false false p ] do
                    Expect.equal (throughPipe path) p (sprintf "%d-D %s through a pipe" d name)
            // A run reads its --data again (splits, --resume): a pipe is refused there, naming the flag.
            let refusal =
                pipeOf (csv false (gaussian 3 2 10 [| 0.0; 0.0 |] 1.0)) (fun fifo ->
                    try
                        SampleFile.ReadFileOnDisk(fifo, "--data") |> ignore
                        "read"
                    with :? SampleFileException as e -> e.Message)
            Expect.stringContains refusal "--data " "the flag"
            Expect.stringContains refusal "a pipe or a device, not a file on disk" "refused"
        }
        test "a pandas index column (an unnamed first header field over 0, 1, 2, …) is refused, not scored as a coordinate" {
            let indexed = lines ".csv" [ ",x,y"; "0,1.5,2"; "1,-3,0.4"; "2,0.5,0.5" ]
            Expect.stringContains (failure indexed) "line 1: the header's first field is empty and its column holds 0, 1, 2, …, 2: a row index (pandas' DataFrame.to_csv writes one unless index=False" "refused"
            Expect.equal (SampleFile.Read(lines ".csv" [ ",x,y"; "7.5,1.5,2"; "1,-3,0.4" ])) (Points.create 3 [| 7.5; 1.5; 2.0; 1.0; -3.0; 0.4 |]) "an unnamed column of other values is data"
            Expect.equal (SampleFile.Read(lines ".csv" [ ",x,y"; "7,1.5,2"; "7,-3,0.4" ])) (Points.create 3 [| 7.0; 1.5; 2.0; 7.0; -3.0; 0.4 |]) "repeated whole numbers are data"
            // A frame split by train_test_split, then written with its index: the index in no order.
            Expect.stringContains (failure (lines ".csv" [ ",x,y"; "412,1.5,2"; "7,-3,0.4"; "93,0.5,0.5" ])) "line 1: the header's first field is empty and its column holds distinct whole numbers in no order (412, 7, 93, …)" "a shuffled index"
            Expect.equal (SampleFile.Read(lines ".csv" [ "i,x"; "0,1.5"; "1,-3" ])) (Points.create 2 [| 0.0; 1.5; 1.0; -3.0 |]) "a named one is data"
            // pandas' own header over unnamed columns (pd.DataFrame(array).to_csv(f)) and R's row names (write.csv).
            Expect.stringContains (failure (lines ".csv" [ ",0,1"; "0,1.5,2"; "1,-3,0.4" ])) "its column holds 0, 1, 2, …, 1" "pandas' default column names"
            Expect.stringContains (failure (lines ".csv" [ "\"\",\"x\",\"y\""; "\"1\",1.5,2"; "\"2\",-3,0.4" ])) "its column holds 1, 2, 3, …, 2" "R's row names"
        }
        test "pandas' header of unnamed columns (0,1,…) over real-valued rows is a header; over integer rows, alone, after a header or in 1-D it is a point" {
            // pd.DataFrame(array).to_csv(f, index=False) writes "0,1" over the rows.
            Expect.equal (SampleFile.Read(lines ".csv" [ "0,1"; "1.5,2"; "-3,0.4" ])) (Points.create 2 [| 1.5; 2.0; -3.0; 0.4 |]) "pandas' header"
            Expect.equal (SampleFile.Read(lines ".txt" [ "0 1 2"; "0.25 1 2"; "3 4 5.5" ])) (Points.create 3 [| 0.25; 1.0; 2.0; 3.0; 4.0; 5.5 |]) "in text too"
            let p = gaussian 11 20 30 (Array.zeroCreate 20) 1.0
            let header = String.Join(",", [ 0 .. 19 ])
            let rows = [ for i in 0 .. p.Count - 1 -> String.Join(",", [ for c in 0 .. 19 -> p.Values[i * 20 + c].ToString("R", Globalization.CultureInfo.InvariantCulture) ]) ]
            Expect.equal (SampleFile.Read(lines ".csv" (header :: rows))) p "20-D"
            let integers = Points.create 2 [| 0.0; 1.0; 3.0; 1.0; -2.0; 5.0 |]
            Expect.equal (SampleFile.Read(lines ".csv" [ "0,1"; "3,1"; "-2,5" ])) integers "integer data starting at (0, 1): every row a point"
            Expect.equal (SampleFile.Read(lines ".csv" [ "0,1"; "0.5,1.5"; "3,1" ])) (Points.create 2 [| 0.0; 1.0; 0.5; 1.5; 3.0; 1.0 |]) "one later integer row: still a point"
            Expect.equal (SampleFile.Read(lines ".csv" [ "0,1" ])) (Points.create 2 [| 0.0; 1.0 |]) "a file of that one row: a point"
            Expect.equal (SampleFile.Read(lines ".csv" [ "0.0,1.0"; "1.5,2" ])) (Points.create 2 [| 0.0; 1.0; 1.5; 2.0 |]) "0.0,1.0 is written as a number: a point"
            // In 1-D a first 0 is a value: sorted data starting at 0 are as likely as pandas' Series header.
            Expect.equal (SampleFile.Read(lines ".csv" [ "0"; "0.25"; "1.5" ])) (Points.ofValues [| 0.0; 0.25; 1.5 |]) "in 1-D a 0 is a value"
            // After a header, 0,1 is the first point.
            Expect.equal (SampleFile.Read(lines ".csv" [ "x,y"; "0,1"; "0.5,0.3" ])) (Points.create 2 [| 0.0; 1.0; 0.5; 0.3 |]) "after a named header: a point"
        }
        test "a CSV whose first line holds no comma is read as text, and the error about its rows says why" {
            for first in [ "# my samples"; "value" ] do
                let message = failure (lines ".csv" [ first; "1.5,2"; "-3,0.4" ])
                Expect.stringContains message "line 2: \"1.5,2\" is not a number" first
                Expect.stringContains message "read as whitespace-separated text because its first non-blank line holds no comma" first
            Expect.stringContains (failure (lines ".csv" [ "1.5;2"; "-3;0.4" ])) "';' separates nothing" "semicolons"
            Expect.isFalse ((failure (lines ".txt" [ "1 2"; "3 x" ])).Contains "whitespace-separated text because") "no hint for a value without a comma"
        }
        test "a run's samples.txt, blank lines and a quoted CSV field read as points" {
            Expect.equal (SampleFile.Read(lines ".txt" [ "1.5,2"; ""; "  "; "-3,4e-1" ])) (Points.create 2 [| 1.5; 2.0; -3.0; 0.4 |]) "comma rows"
            Expect.equal (SampleFile.Read(lines ".csv" [ "\"a\",\"b\""; "\"1\",2" ])) (Points.create 2 [| 1.0; 2.0 |]) "quoted"
            Expect.equal (SampleFile.Read(lines ".txt" [ "1"; "2"; "3" ])) (Points.ofValues [| 1.0; 2.0; 3.0 |]) "one number per line"
        }
        test "a ragged row names the file, the line and the column counts" {
            let path = lines ".csv" [ "x,y"; "1,2"; "3,4"; "5" ]
            Expect.equal (failure path) (sprintf "%s line 4: 1 column, expected 2 (the columns of line 2)" path) "ragged CSV"
            let text = lines ".txt" [ "1 2"; "3 4 5" ]
            Expect.equal (failure text) (sprintf "%s line 2: 3 columns, expected 2 (the columns of line 1)" text) "ragged text"
        }
        test "a word, NaN, an infinity or an empty field names the file, the line and the column" {
            let word = lines ".csv" [ "1,2"; "3,oops" ]
            Expect.equal (failure word) (sprintf "%s line 2, column 2: \"oops\" is not a number" word) "word"
            let nan = lines ".txt" [ "1"; "NaN" ]
            Expect.equal (failure nan) (sprintf "%s line 2: \"NaN\" is not a finite number" nan) "NaN"
            let inf = lines ".csv" [ "1,-Infinity" ]
            Expect.equal (failure inf) (sprintf "%s line 1, column 2: \"-Infinity\" is not a finite number" inf) "−∞"
            let empty = lines ".csv" [ "1,2"; "3," ]
            Expect.equal (failure empty) (sprintf "%s line 2, column 2: \"\" is not a number" empty) "truncated row"
        }
        test "a header is allowed only as the first row, and only of words" {
            let mixed = lines ".csv" [ "x,1"; "2,3" ]
            Expect.stringContains (failure mixed) "line 1, column 1: \"x\" is not a number" "half a header"
            let late = lines ".csv" [ "1,2"; "x,y" ]
            Expect.stringContains (failure late) "line 2, column 1" "a second header"
            Expect.stringContains (failure (lines ".csv" [ "x,y" ])) "only a header" "nothing but a header"
        }
        test "a missing file, a folder and an empty file are named" {
            Expect.equal (failure "/no/such/file.csv") "/no/such/file.csv: no such file" "missing"
            let folder = TestFolders.fresh "folder"
            Directory.CreateDirectory folder |> ignore
            Expect.stringStarts (failure folder) (sprintf "%s is a folder" folder) "folder"
            Expect.stringContains (failure (lines ".txt" [ ""; " " ])) "no values" "blank"
        }
        test ".npy: an unsupported dtype, Fortran order, 3 dimensions, truncated or surplus data or NaN name the header field or the row" {
            let data = Array.zeroCreate<byte> 48
            Expect.stringContains (failure (npyFile (npyBytes ">f8" false "(3, 2)" data))) "header field 'descr' = '>f8' is not supported" "big-endian"
            Expect.stringContains (failure (npyFile (npyBytes "<i8" false "(3, 2)" data))) "header field 'descr' = '<i8'" "integers"
            Expect.stringContains (failure (npyFile (npyBytes "<f8" true "(3, 2)" data))) "header field 'fortran_order' = True" "Fortran order"
            Expect.stringContains (failure (npyFile (npyBytes "<f8" false "(2, 1, 3)" data))) "header field 'shape' = (2, 1, 3) has 3 dimensions" "3-D"
            Expect.stringContains (failure (npyFile (npyBytes "<f8" false "(4, 2)" data))) "truncated" "short data"
            Expect.stringContains (failure (npyFile (npyBytes "<f8" false "(2, 2)" data))) "48 bytes after the header, but its 'shape' = (2, 2) needs 32" "more data than the shape: not read in part"
            let withNan = Array.concat [ BitConverter.GetBytes 1.0; BitConverter.GetBytes 2.0; BitConverter.GetBytes 3.0; BitConverter.GetBytes nan ]
            Expect.stringContains (failure (npyFile (npyBytes "<f8" false "(2, 2)" withNan))) "row 2, column 2 (0-based element 3) is NaN" "NaN"
            // A header dict without its closing brace: numpy's literal_eval refuses it, and so does this reader.
            let unclosed = npyBytes "<f8" false "(3, 2)" data
            unclosed[Array.findIndex ((=) (byte '}')) unclosed] <- byte ' '
            Expect.stringContains (failure (npyFile unclosed)) ".npy header is not a Python dict literal between { and }" "a header missing its }"
            // A column vector in Fortran order has the C layout: it reads.
            Expect.equal (SampleFile.Read(npyFile (npyBytes "<f8" true "(2, 1)" (Array.concat [ BitConverter.GetBytes 1.0; BitConverter.GetBytes 2.0 ]))))
                (Points.ofValues [| 1.0; 2.0 |]) "(n, 1) in Fortran order"
        }
        test "reading with an expected dimension names the file and where its dimension comes from" {
            let path = lines ".txt" [ "1,2,3" ]
            try
                SampleFile.Read(path, 2) |> ignore
                failtest "expected an error"
            with :? SampleFileException as e -> Expect.equal e.Message (sprintf "%s line 1: 3 values per sample, expected 2" path) "message"
        }
    ]
