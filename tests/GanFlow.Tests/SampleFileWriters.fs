/// Writers of sample files in the formats other programs produce: CSV (with or without a header), whitespace-separated
/// text and NumPy .npy (written byte by byte here, as numpy's format documentation lays it out).
module GanFlow.Tests.SampleFileWriters

open System
open System.IO
open System.Text
open GanFlow.Core.Metrics

let private show (v: float) = v.ToString("R", Globalization.CultureInfo.InvariantCulture)

/// Writes the points as CSV, with the header `x1,…,xd` when `header`; returns the path.
let csv (header: bool) (p: Points) =
    let path = TestFolders.fresh "sample" + ".csv"
    let rows = [ for i in 0 .. p.Count - 1 -> Points.row p i |> Array.map show |> String.concat "," ]
    File.WriteAllLines(path, (if header then [ String.concat "," [ for k in 1 .. p.Dimension -> sprintf "x%d" k ] ] else []) @ rows)
    path

/// Writes the points as whitespace-separated text (tabs and runs of spaces); returns the path.
let text (p: Points) =
    let path = TestFolders.fresh "sample" + ".txt"
    File.WriteAllLines(path, [ for i in 0 .. p.Count - 1 -> Points.row p i |> Array.map show |> String.concat (if i % 2 = 0 then "\t" else "   ") ])
    path

/// The bytes of a .npy file: magic, version 1.0, the header dict padded with spaces to a multiple of 64 bytes and
/// ended by a newline, then `data`.
let npyBytes (descr: string) (fortran: bool) (shape: string) (data: byte[]) =
    let dict = sprintf "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" descr (if fortran then "True" else "False") shape
    let padding = 64 - (10 + dict.Length + 1) % 64
    let header = dict + String(' ', padding % 64) + "\n"
    Array.concat [ [| 0x93uy |]; Encoding.ASCII.GetBytes "NUMPY"; [| 1uy; 0uy |]; BitConverter.GetBytes(uint16 header.Length); Encoding.ASCII.GetBytes header; data ]

/// Writes `bytes` to a fresh .npy path; returns it.
let npyFile (bytes: byte[]) =
    let path = TestFolders.fresh "sample" + ".npy"
    File.WriteAllBytes(path, bytes)
    path

/// Writes the points as a .npy of float64 (`<f8`) or float32 (`<f4`), 2-D (n, d) or, for d = 1 and `flat`, 1-D (n,).
let npy (single: bool) (flat: bool) (p: Points) =
    let data =
        if single then p.Values |> Array.collect (fun v -> BitConverter.GetBytes(float32 v))
        else p.Values |> Array.collect (fun v -> BitConverter.GetBytes(v: float))
    let shape = if flat && p.Dimension = 1 then sprintf "(%d,)" p.Count else sprintf "(%d, %d)" p.Count p.Dimension
    npyFile (npyBytes (if single then "<f4" else "<f8") false shape data)
