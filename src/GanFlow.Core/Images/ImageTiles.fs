namespace GanFlow.Core.Images

/// Pictures of images as grey pixel grids (pure; the runtime writes them as PNG).
module ImageTiles =

    /// Pixels in [0, 1] (clamped) as bytes 0-255, ink white on black as MNIST stores them.
    let toByte (v: float) = byte (System.Math.Round(255.0 * max 0.0 (min 1.0 v)))

    /// `images` (each `side`² values in [0, 1], row-major) tiled `columns` per row with a `gap`-pixel border, each
    /// pixel drawn `scale` × `scale`. Returns (width, height, pixels); the border is mid-grey (128).
    let grid (side: int) (columns: int) (scale: int) (gap: int) (images: float[][]) =
        let rows = (images.Length + columns - 1) / columns
        let cell = side * scale + gap
        let width, height = columns * cell + gap, rows * cell + gap
        let pixels = Array.create (width * height) 128uy
        images
        |> Array.iteri (fun k image ->
            let top, left = gap + (k / columns) * cell, gap + (k % columns) * cell
            for r in 0 .. side * scale - 1 do
                for c in 0 .. side * scale - 1 do
                    pixels[(top + r) * width + left + c] <- toByte image[(r / scale) * side + c / scale])
        width, height, pixels

    /// A grid of masses (`points`² values, row-major) as an image scaled so its largest value is 1.
    let normalised (values: float[]) =
        let top = Array.max values
        if top <= 0.0 then Array.zeroCreate values.Length else values |> Array.map (fun v -> v / top)

    /// An image of `side`² values resampled to `target`² by nearest neighbour.
    let resize (side: int) (target: int) (image: float[]) =
        [| for r in 0 .. target - 1 do
               for c in 0 .. target - 1 -> image[(r * side / target) * side + c * side / target] |]
