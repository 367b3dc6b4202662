/// The pure IDX reader and writer: round trips, and errors that name the file and the byte offset.
module GanFlow.Tests.MnistIdxTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Images
open GanFlow.Tests.MnistTestSupport

/// A small random image set: 0-6 images of 1-5 × 1-5 pixels.
let private smallSet =
    gen {
        let! seed = Gen.choose (0, 1_000_000)
        let! count = Gen.choose (0, 6)
        let! rows = Gen.choose (1, 5)
        let! columns = Gen.choose (1, 5)
        return randomSet seed count rows columns
    }

let private ok result =
    match result with
    | Ok value -> value
    | Error(e: IdxError) -> failtestf "unexpected error %O" e

let private err result =
    match result with
    | Ok _ -> failtest "expected an IdxError"
    | Error(e: IdxError) -> e

let private read (set: ImageSet) =
    let images = Idx.readImages "i" (Idx.writeImages set)
    let labels = Idx.readLabels "l" (Idx.writeLabels set)
    Result.bind (fun i -> Result.bind (Idx.imageSet "l" i) labels) images

[<Tests>]
let tests =
    testList "Mnist idx" [
        testProperty "writing an image set as IDX files and reading them back gives the same set" (
            Prop.forAll (Arb.fromGen smallSet) (fun set -> read set = Ok set))
        test "an image file starts with magic 0x00000803, count, rows and columns big-endian" {
            let bytes = Idx.writeImages (randomSet 1 2 3 4)
            Expect.equal (bytes[0..15]) [| 0uy; 0uy; 8uy; 3uy; 0uy; 0uy; 0uy; 2uy; 0uy; 0uy; 0uy; 3uy; 0uy; 0uy; 0uy; 4uy |] "header"
            Expect.equal bytes.Length (16 + 2 * 12) "size"
            Expect.equal ((Idx.writeLabels (randomSet 1 2 3 4))[0..7]) [| 0uy; 0uy; 8uy; 1uy; 0uy; 0uy; 0uy; 2uy |] "label header"
        }
        test "a label file read as an image file is refused at offset 0, naming both magic numbers" {
            let e = err (Idx.readImages "train-images-idx3-ubyte" (Idx.writeLabels (randomSet 1 3 2 2)))
            Expect.equal e.Offset 0L "offset"
            Expect.equal e.File "train-images-idx3-ubyte" "file"
            Expect.stringContains e.Problem "0x00000801" "found"
            Expect.stringContains e.Problem "0x00000803" "expected"
            Expect.stringContains (string e) "train-images-idx3-ubyte: at byte offset 0" "the message names file and offset"
            let e = err (Idx.readLabels "l" (Idx.writeImages (randomSet 1 3 2 2)))
            Expect.stringContains e.Problem "magic number 0x00000803" "the other way round"
        }
        test "a truncated image file is refused at the offset where it ends, naming the image it cuts" {
            let bytes = Idx.writeImages (randomSet 1 5 3 3)
            let cut = bytes[.. 16 + 2 * 9 + 4 - 1]
            let e = err (Idx.readImages "f" cut)
            Expect.equal e.Offset (int64 cut.Length) "offset = bytes present"
            Expect.stringContains e.Problem "truncated" "kind"
            Expect.stringContains e.Problem "inside image 2 of 5" "which image"
            Expect.stringContains e.Problem (string bytes.Length) "announced size"
        }
        test "a file cut inside its header or before its magic number is refused at its end" {
            let bytes = Idx.writeImages (randomSet 1 5 3 3)
            Expect.equal (err (Idx.readImages "f" bytes[..9])).Offset 10L "inside the header"
            Expect.equal (err (Idx.readImages "f" bytes[..1])).Offset 2L "inside the magic number"
            Expect.equal (err (Idx.readImages "f" [||])).Offset 0L "empty"
            Expect.equal (err (Idx.readLabels "f" ((Idx.writeLabels (randomSet 1 5 3 3))[..5]))).Offset 6L "label header"
        }
        test "a truncated label file is refused at its end" {
            let bytes = Idx.writeLabels (randomSet 1 5 3 3)
            let e = err (Idx.readLabels "labels" bytes[.. bytes.Length - 2])
            Expect.equal e.Offset (int64 bytes.Length - 1L) "offset"
            Expect.stringContains e.Problem "inside label 4 of 5" "which label"
        }
        test "bytes after the announced data are refused at the offset where the data should end" {
            let bytes = Idx.writeImages (randomSet 1 2 2 2)
            let e = err (Idx.readImages "f" (Array.append bytes [| 7uy; 7uy; 7uy |]))
            Expect.equal e.Offset (int64 bytes.Length) "offset"
            Expect.stringContains e.Problem "3 bytes follow" "how many"
        }
        test "a negative count and images without pixels are refused at their header field" {
            let bytes = Idx.writeImages (randomSet 1 2 2 2)
            let negative = Array.copy bytes
            negative[4] <- 0xFFuy
            let e = err (Idx.readImages "f" negative)
            Expect.equal e.Offset 4L "count field"
            Expect.stringContains e.Problem "negative" "why"
            let empty = Array.copy bytes
            empty[15] <- 0uy
            Expect.equal (err (Idx.readImages "f" empty)).Offset 12L "columns field"
        }
        test "image and label counts that differ are refused naming the label file and both counts" {
            let images = ok (Idx.readImages "i" (Idx.writeImages (randomSet 1 4 2 2)))
            let e = err (Idx.imageSet "t10k-labels-idx1-ubyte" images [| 1uy; 2uy; 3uy |])
            Expect.equal e.File "t10k-labels-idx1-ubyte" "file"
            Expect.equal e.Offset 4L "the count field"
            Expect.stringContains e.Problem "label count 3" "labels"
            Expect.stringContains e.Problem "image count 4" "images"
        }
    ]
