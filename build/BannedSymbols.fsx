// Regenerates build/BannedSymbols.TorchSharp.txt, the list of TorchSharp members that make a Scalar they do not hold
// (see tests/GanFlow.Tests/ScalarSafety.fs), from the TorchSharp assembly the build uses:
//
//   dotnet fsi build/BannedSymbols.fsx [PATH/TO/TorchSharp.dll]
//
// (default: the copy in the test project's Release output, beside the assemblies it depends on).
//
// The test "Scalar safety" fails while the committed file differs from what this prints (a TorchSharp update).
#load "../tests/GanFlow.Tests/IlCalls.fs"
#load "../tests/GanFlow.Tests/ScalarSafety.fs"

open System
open System.IO
open System.Reflection

let torchSharpPath =
    match fsi.CommandLineArgs |> Array.tryItem 1 with
    | Some path -> path
    | None -> Path.Combine(__SOURCE_DIRECTORY__, "..", "tests", "GanFlow.Tests", "bin", "Release", "net10.0", "TorchSharp.dll")

// TorchSharp's own dependencies (Google.Protobuf, SkiaSharp…) load from its folder.
AppDomain.CurrentDomain.add_AssemblyResolve(ResolveEventHandler(fun _ args ->
    let candidate = Path.Combine(Path.GetDirectoryName torchSharpPath, AssemblyName(args.Name).Name + ".dll")
    if File.Exists candidate then Assembly.LoadFrom candidate else null))

let assembly = Assembly.LoadFrom torchSharpPath
let ids = GanFlow.Tests.ScalarSafety.unsafeMembers assembly
let target = Path.Combine(__SOURCE_DIRECTORY__, "BannedSymbols.TorchSharp.txt")
File.WriteAllLines(target, GanFlow.Tests.ScalarSafety.bannedFileLines ids)
printfn "%d members -> %s" ids.Length target
