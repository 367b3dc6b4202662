namespace GanFlow.Core.Images

/// What is wrong with an IDX file, and where: the file as named, the byte offset of the problem (in the
/// decompressed bytes of a gzipped file) and what was expected there.
type IdxError =
    { /// The file as the caller named it (a path, or `train-images-idx3-ubyte.gz`).
      File: string
      /// Byte offset (0-based) in the file's (decompressed) content where the problem is.
      Offset: int64
      /// What was found and what was expected, e.g. `magic number 0x00000801, expected 0x00000803 (an image file)`.
      Problem: string }

    override e.ToString() = sprintf "%s: at byte offset %d: %s" e.File e.Offset e.Problem

/// The content of an IDX image file: `Count` images of `Rows · Columns` unsigned bytes, image after image, row-major.
type IdxImages =
    { /// Pixel rows of every image (MNIST 28).
      Rows: int
      /// Pixel columns of every image (MNIST 28).
      Columns: int
      /// Number of images.
      Count: int
      /// `Count · Rows · Columns` bytes.
      Pixels: byte[] }

/// The IDX format of the MNIST files (LeCun et al., yann.lecun.com/exdb/mnist): a big-endian header, then unsigned
/// bytes. Image files: magic 0x00000803 (two zero bytes, type 0x08 = unsigned byte, 3 dimensions), count, rows,
/// columns (four 32-bit big-endian integers, 16 bytes), then the pixels. Label files: magic 0x00000801, count
/// (8 bytes), then one byte per label. Reading checks the magic number, every header value, that the data is all
/// there and that nothing follows it; every error names the file and the byte offset.
[<RequireQualifiedAccess>]
module Idx =

    /// Magic number of an image file (unsigned bytes, 3 dimensions).
    [<Literal>]
    let ImageMagic = 0x00000803

    /// Magic number of a label file (unsigned bytes, 1 dimension).
    [<Literal>]
    let LabelMagic = 0x00000801

    /// Header bytes of an image file (magic, count, rows, columns).
    [<Literal>]
    let ImageHeaderBytes = 16

    /// Header bytes of a label file (magic, count).
    [<Literal>]
    let LabelHeaderBytes = 8

    let private bigEndian (bytes: byte[]) (offset: int) =
        (int bytes[offset] <<< 24) ||| (int bytes[offset + 1] <<< 16) ||| (int bytes[offset + 2] <<< 8) ||| int bytes[offset + 3]

    let private putBigEndian (bytes: byte[]) (offset: int) (value: int) =
        bytes[offset] <- byte (value >>> 24)
        bytes[offset + 1] <- byte (value >>> 16)
        bytes[offset + 2] <- byte (value >>> 8)
        bytes[offset + 3] <- byte value

    let private error file (offset: int64) problem = Error { File = file; Offset = offset; Problem = problem }

    let private kindOf magic =
        match magic with
        | ImageMagic -> " (an IDX image file)"
        | LabelMagic -> " (an IDX label file)"
        | _ -> ""

    /// Checks the header fields in `[offset, headerBytes)`: that they are there and that the magic number is `magic`.
    let private checkHeader file (bytes: byte[]) magic headerBytes (what: string) =
        if bytes.Length < 4 then
            error file (int64 bytes.Length) (sprintf "the file ends after %d bytes, before its 4-byte magic number (expected 0x%08X, %s)" bytes.Length magic what)
        elif bigEndian bytes 0 <> magic then
            let found = bigEndian bytes 0
            error file 0L (sprintf "magic number 0x%08X%s, expected 0x%08X (%s)" found (kindOf found) magic what)
        elif bytes.Length < headerBytes then
            error file (int64 bytes.Length) (sprintf "the file ends after %d bytes, inside its %d-byte header" bytes.Length headerBytes)
        else
            Ok()

    let private checkDimension file (bytes: byte[]) offset name =
        let value = bigEndian bytes offset
        if value < 0 then error file (int64 offset) (sprintf "%s %d is negative" name value) else Ok value

    /// Checks that the data after the header is exactly `expected` bytes long.
    let private checkLength file (bytes: byte[]) headerBytes (itemBytes: int64) (count: int) (item: string) =
        let expected = int64 headerBytes + itemBytes * int64 count
        let actual = int64 bytes.Length
        if actual < expected then
            let cut = (actual - int64 headerBytes) / max 1L itemBytes
            error file actual
                (sprintf "truncated: the file ends after %d bytes, inside %s %d of %d; the header announces %d bytes (%d %ss of %d bytes after the %d-byte header)"
                    actual item cut count expected count item itemBytes headerBytes)
        elif actual > expected then
            error file expected (sprintf "%d bytes follow the last of the %d %ss the header announces (the file is %d bytes, expected %d)" (actual - expected) count item actual expected)
        elif expected > int64 System.Int32.MaxValue then
            error file 4L (sprintf "%d %ss of %d bytes do not fit in memory as one array" count item itemBytes)
        else
            Ok()

    /// Reads an IDX image file's content. `file` only names it in errors.
    let readImages (file: string) (bytes: byte[]) : Result<IdxImages, IdxError> =
        checkHeader file bytes ImageMagic ImageHeaderBytes "an IDX image file"
        |> Result.bind (fun () -> checkDimension file bytes 4 "image count")
        |> Result.bind (fun count ->
            checkDimension file bytes 8 "rows"
            |> Result.bind (fun rows ->
                checkDimension file bytes 12 "columns"
                |> Result.bind (fun columns ->
                    if rows = 0 || columns = 0 then
                        error file (if rows = 0 then 8L else 12L) (sprintf "images of %d × %d pixels have no pixels" rows columns)
                    else
                        checkLength file bytes ImageHeaderBytes (int64 rows * int64 columns) count "image"
                        |> Result.map (fun () ->
                            { Rows = rows; Columns = columns; Count = count; Pixels = bytes[ImageHeaderBytes..] }))))

    /// Reads an IDX label file's content. `file` only names it in errors.
    let readLabels (file: string) (bytes: byte[]) : Result<byte[], IdxError> =
        checkHeader file bytes LabelMagic LabelHeaderBytes "an IDX label file"
        |> Result.bind (fun () -> checkDimension file bytes 4 "label count")
        |> Result.bind (fun count ->
            checkLength file bytes LabelHeaderBytes 1L count "label" |> Result.map (fun () -> bytes[LabelHeaderBytes..]))

    /// Pairs an image file's images with a label file's labels; their counts must agree (the error names the label
    /// file and the offset of its count).
    let imageSet (labelsFile: string) (images: IdxImages) (labels: byte[]) : Result<ImageSet, IdxError> =
        if labels.Length <> images.Count then
            error labelsFile 4L (sprintf "label count %d does not match the image file's image count %d" labels.Length images.Count)
        else
            Ok { Rows = images.Rows; Columns = images.Columns; Pixels = images.Pixels; Labels = labels }

    /// The bytes of the IDX image file holding `set`'s images.
    let writeImages (set: ImageSet) : byte[] =
        if set.Pixels.Length <> set.Count * set.Size then
            invalidArg "set" (sprintf "%d pixels for %d images of %d × %d" set.Pixels.Length set.Count set.Rows set.Columns)
        let bytes = Array.zeroCreate (ImageHeaderBytes + set.Pixels.Length)
        putBigEndian bytes 0 ImageMagic
        putBigEndian bytes 4 set.Count
        putBigEndian bytes 8 set.Rows
        putBigEndian bytes 12 set.Columns
        Array.blit set.Pixels 0 bytes ImageHeaderBytes set.Pixels.Length
        bytes

    /// The bytes of the IDX label file holding `set`'s labels.
    let writeLabels (set: ImageSet) : byte[] =
        let bytes = Array.zeroCreate (LabelHeaderBytes + set.Labels.Length)
        putBigEndian bytes 0 LabelMagic
        putBigEndian bytes 4 set.Labels.Length
        Array.blit set.Labels 0 bytes LabelHeaderBytes set.Labels.Length
        bytes
