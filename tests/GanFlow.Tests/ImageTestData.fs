/// MNIST-shaped image sets the tests write themselves: four classes of strokes (horizontal bar, vertical bar, box,
/// diagonal) at random offsets and intensities, so a model can learn them in a few hundred steps.
module GanFlow.Tests.ImageTestData

open GanFlow.Core.Images

/// `count` images of `side` × `side` pixels drawn from `seed`.
let strokes (seed: int) (side: int) (count: int) =
    let random = System.Random seed
    let pixels = Array.zeroCreate<byte> (count * side * side)
    let labels = Array.zeroCreate<byte> count
    for k in 0 .. count - 1 do
        let label = random.Next 4
        labels[k] <- byte label
        let ink = byte (200 + random.Next 56)
        let a, b = side / 4 + random.Next(side / 4), side / 2 + random.Next(side / 4)
        let set r c = if r >= 0 && r < side && c >= 0 && c < side then pixels[k * side * side + r * side + c] <- ink
        for t in side / 6 .. side - 1 - side / 6 do
            match label with
            | 0 -> set a t; set (a + 1) t
            | 1 -> set t a; set t (a + 1)
            | 2 -> set a t; set b t; set t a; set t b
            | _ -> set t t; set t (t + 1)
    { Rows = side; Columns = side; Pixels = pixels; Labels = labels }

/// Train and test splits of `strokes` (no validation split, as seed 003).
let splits (side: int) (train: int) (test: int) =
    { Train = strokes 1 side train
      Validation = { Rows = side; Columns = side; Pixels = [||]; Labels = [||] }
      Test = strokes 2 side test }
