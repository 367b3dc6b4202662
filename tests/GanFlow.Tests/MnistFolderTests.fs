/// The MNIST folder loader and writer (GanFlow.Store), and the split rules of seed 001 and seed 003.
module GanFlow.Tests.MnistFolderTests

open System.IO
open Expecto
open GanFlow.Core.Images
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport

let private counts (s: ImageSplits) = s.Train.Count, s.Validation.Count, s.Test.Count

[<Tests>]
let tests =
    testList "Mnist folder" [
        test "the loader reads plain and gzipped files alike and seed 003's split is the two files" {
            let train, test = randomSet 1 12 4 3, randomSet 2 5 4 3
            for suffix in [ ""; ".gz" ] do
                let splits = MnistFolder.Load(mnistFolder suffix train test, MnistSplit.Seed003)
                Expect.equal splits.Train train (sprintf "train (%s)" suffix)
                Expect.equal splits.Test test "test"
                Expect.equal splits.Validation.Count 0 "no validation"
                Expect.equal (splits.Validation.Rows, splits.Validation.Columns) (4, 3) "an empty set of the same image size"
        }
        test "seed 001's split validates on the last sixth of the training file, in order" {
            let train, test = randomSet 1 12 2 2, randomSet 2 5 2 2
            let splits = MnistFolder.Load(mnistFolder "" train test, MnistSplit.Seed001)
            Expect.equal (counts splits) (10, 2, 5) "counts"
            Expect.equal splits.Train (MnistSplits.slice 0 10 train) "the first 10"
            Expect.equal splits.Validation.Labels train.Labels[10..] "the last 2 labels"
            Expect.equal splits.Validation.Pixels train.Pixels[40..] "the last 2 images"
        }
        test "with the full files' sizes the splits are the papers': 60,000/0/10,000 and 50,000/10,000/10,000" {
            let train, test = randomSet 1 60_000 1 1, randomSet 2 10_000 1 1
            Expect.equal (counts (MnistSplits.split MnistSplit.Seed003 train test)) (60_000, 0, 10_000) "seed 003"
            let seed001 = MnistSplits.split MnistSplit.Seed001 train test
            Expect.equal (counts seed001) (50_000, 10_000, 10_000) "seed 001"
            Expect.equal seed001.Validation.Labels[0] train.Labels[50_000] "validation starts at image 50,000"
        }
        test "with the npm digits as ganflow writes them (8,572 + 1,428) the splits are 6/7 : 1/7 and 5/7 : 1/7 : 1/7" {
            let train, test = randomSet 1 8_572 1 1, randomSet 2 1_428 1 1
            Expect.equal (counts (MnistSplits.split MnistSplit.Seed003 train test)) (8_572, 0, 1_428) "seed 003"
            Expect.equal (counts (MnistSplits.split MnistSplit.Seed001 train test)) (7_144, 1_428, 1_428) "seed 001"
        }
        test "a missing folder, a file instead of a folder and a missing file are refused, naming them" {
            let missing = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "nothing-here")
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(missing, MnistSplit.Seed003))) missing "missing folder"
            let dir = mnistFolder "" (randomSet 1 3 2 2) (randomSet 2 3 2 2)
            let file = Path.Combine(dir, MnistFolder.TrainImages)
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(file, MnistSplit.Seed003))) "is a file" "a file"
            File.Delete(Path.Combine(dir, MnistFolder.TestLabels))
            let message = folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed001))
            Expect.stringContains message dir "folder named"
            Expect.stringContains message "has no t10k-labels-idx1-ubyte (nor t10k-labels-idx1-ubyte.gz)" "file named"
        }
        test "a wrong magic number, a truncated file and a count mismatch are refused naming the file and the offset, plain or gzipped" {
            for suffix in [ ""; ".gz" ] do
                let dir = mnistFolder suffix (randomSet 1 4 3 3) (randomSet 2 3 3 3)
                let images = Path.Combine(dir, MnistFolder.TrainImages + suffix)
                let labels = Path.Combine(dir, MnistFolder.TrainLabels + suffix)
                writeFile images (Idx.writeLabels (randomSet 1 4 3 3))
                let message = folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))
                Expect.stringContains message (images + ": at byte offset 0: magic number 0x00000801") (sprintf "wrong magic (%s)" suffix)
                writeFile images ((Idx.writeImages (randomSet 1 4 3 3))[..30])
                let message = folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))
                Expect.stringContains message (images + ": at byte offset 31: truncated") (sprintf "truncated (%s)" suffix)
                writeFile images (Idx.writeImages (randomSet 1 4 3 3))
                writeFile labels (Idx.writeLabels (randomSet 1 5 3 3))
                let message = folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))
                Expect.stringContains message (labels + ": at byte offset 4: label count 5 does not match the image file's image count 4") "mismatch"
        }
        test "a gzipped file cut short is refused naming it" {
            let dir = mnistFolder ".gz" (randomSet 1 40 3 3) (randomSet 2 3 3 3)
            let images = Path.Combine(dir, MnistFolder.TrainImages + ".gz")
            let bytes = File.ReadAllBytes images
            File.WriteAllBytes(images, bytes[.. bytes.Length / 2])
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))) images "named"
            File.WriteAllBytes(images, [| 1uy; 2uy; 3uy |])
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))) (images + ": not a valid gzip file") "not gzip"
        }
        test "a label that is not a digit and image sizes that differ between the files are refused" {
            let train = randomSet 1 4 3 3
            let bad = { train with Labels = [| 1uy; 2uy; 12uy; 3uy |] }
            let dir = mnistFolder "" bad (randomSet 2 3 3 3)
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))) "at byte offset 10: label 12 of image 2 is not a digit" "label"
            let dir = mnistFolder "" train (randomSet 2 3 2 3)
            Expect.stringContains (folderError (fun () -> MnistFolder.Load(dir, MnistSplit.Seed003))) "images of 2 × 3 pixels, the training file's are 3 × 3" "sizes"
        }
        test "the writer writes the four files and its provenance, and refuses MNIST files it did not write, leaving them" {
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine")
            let train, test = randomSet 1 6 2 2, randomSet 2 2 2 2
            let written = MnistFolderWriter.Write(dir, train, test, "a test")
            Expect.equal (written |> Seq.map (fun struct (p, c) -> Path.GetFileName p, c) |> List.ofSeq)
                [ MnistFolder.TrainImages, 6; MnistFolder.TrainLabels, 6; MnistFolder.TestImages, 2; MnistFolder.TestLabels, 2 ] "what was written"
            Expect.equal (MnistFolder.LoadFiles dir) (struct (train, test)) "read back"
            Expect.stringContains (File.ReadAllText(Path.Combine(dir, MnistFolderWriter.Provenance))) "\"source\": \"a test\"" "provenance"
            MnistFolderWriter.Write(dir, test, train, "again") |> ignore
            Expect.equal (MnistFolder.LoadFiles dir) (struct (test, train)) "its own files are replaced"
            Expect.equal (File.ReadAllText(Path.Combine(dir, "notes.txt"))) "mine" "other files are left alone"
            let foreign = mnistFolder ".gz" train test
            let before = Directory.GetFiles foreign |> Array.sort
            let message = folderError (fun () -> MnistFolderWriter.Write(foreign, train, test, "x"))
            Expect.stringContains message "which ganflow did not write" "refused"
            Expect.equal (Directory.GetFiles foreign |> Array.sort) before "nothing written"
        }
    ]
