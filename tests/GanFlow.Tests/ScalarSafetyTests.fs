/// The Scalar rule, checked on compiled code: every TorchSharp member that makes a Scalar it does not hold is in the
/// analyzer's banned list, and no assembly of ours (C# or F#) calls one or leaves a Scalar it makes unheld.
module GanFlow.Tests.ScalarSafetyTests

open System
open System.IO
open System.Reflection
open Expecto
open TorchSharp
open GanFlow.Tests.ScalarSafety

/// The banned-symbols file the runtime's analyzer reads, found from this source file's folder.
let private bannedFile = Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "build", "BannedSymbols.TorchSharp.txt")

/// The IDs the committed file bans.
let private committedIds () =
    File.ReadAllLines bannedFile
    |> Array.filter (fun l -> l.Length > 0 && not (l.StartsWith "#"))
    |> Array.map (fun l -> l.Split(';')[0])
    |> List.ofArray

/// Deliberate violations, so that the check is shown to find them (excluded from the scan of our assemblies).
module Canary =
    /// t · 0.5 with a Scalar made and dropped at once.
    let unheld (t: torch.Tensor) = t.mul (0.5.ToScalar())

    /// t · 0.5 through F#'s implicit conversion of a float to a Scalar.
    let implicitConversion (t: torch.Tensor) = t.mul (Scalar.op_Implicit 0.5)

    /// t + u: TorchSharp's operator adds with an implicit alpha of 1.
    let operatorPlus (t: torch.Tensor) (u: torch.Tensor) = t + u

    /// The same product with the Scalar held for the call: not a violation.
    let held (t: torch.Tensor) =
        use half = 0.5.ToScalar()
        t.mul half

/// Our assemblies that run or may run TorchSharp code.
let private ours =
    [ typeof<GanFlow.Runtime.Modules.MlpModule>.Assembly
      typeof<GanFlow.Store.RunFiles>.Assembly
      typeof<GanFlow.Core.Experiments.Experiment>.Assembly
      Assembly.Load "GanFlow.Report"
      Assembly.Load "GanFlow.Experiments"
      Assembly.Load "ganflow"
      Assembly.GetExecutingAssembly() ]

[<Tests>]
let tests =
    testList "Scalar safety" [
        test "the banned-symbols file lists exactly the TorchSharp members that make a Scalar they do not hold" {
            let regenerated = unsafeMembers typeof<torch.Tensor>.Assembly
            let committed = committedIds ()
            let missing = regenerated |> List.except committed
            let extra = committed |> List.except regenerated
            Expect.isEmpty missing "members the file lacks (run `dotnet fsi build/BannedSymbols.fsx`)"
            Expect.isEmpty extra "members the file bans that are safe now (run `dotnet fsi build/BannedSymbols.fsx`)"
        }

        test "the list bans the conversions, the operators and the overloads that convert behind the caller's back" {
            let ids = set (committedIds ())
            for id in [ "M:TorchSharp.Scalar.op_Implicit(System.Double)~TorchSharp.Scalar"
                        "M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)"
                        "M:TorchSharp.torch.Tensor.op_Multiply(TorchSharp.torch.Tensor,System.Double)"
                        "M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)"
                        "M:TorchSharp.torch.Tensor.square"
                        "M:TorchSharp.torch.nn.functional.leaky_relu(TorchSharp.torch.Tensor,System.Double,System.Boolean)"
                        "M:TorchSharp.Modules.BatchNorm.forward(TorchSharp.torch.Tensor)" ] do
                Expect.contains ids id "banned"
            for id in [ "M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor,TorchSharp.Scalar)"
                        "M:TorchSharp.torch.Tensor.mul(TorchSharp.Scalar)"
                        "M:TorchSharp.torch.Tensor.sub(TorchSharp.torch.Tensor)"
                        "M:TorchSharp.torch.nn.functional.batch_norm(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,TorchSharp.torch.Tensor,System.Boolean,System.Double,System.Double)" ] do
                Expect.isFalse (ids.Contains id) (sprintf "%s takes what it needs from its caller: not banned" id)
        }

        test "the check finds a Scalar made and not held, an implicit conversion and a banned operator" {
            let banned = set (committedIds ())
            let found =
                unheldScalars banned (Assembly.GetExecutingAssembly())
                |> List.filter (fun u -> u.Method.Contains "Canary")
            let inMethod name = found |> List.exists (fun u -> u.Method.EndsWith("." + name))
            Expect.isTrue (inMethod "unheld") "an unheld ToScalar is found"
            Expect.isTrue (inMethod "implicitConversion") "an implicit conversion is found"
            Expect.isTrue (inMethod "operatorPlus") "the + operator is found"
            Expect.isFalse (inMethod "held") "a held Scalar is not"
        }

        test "no assembly of ours calls a banned member or leaves a Scalar it makes unheld" {
            let banned = set (committedIds ())
            let violations =
                ours
                |> List.collect (unheldScalars banned)
                |> List.filter (fun u -> not (u.Method.Contains "ScalarSafetyTests+Canary"))
                |> List.map (fun u -> sprintf "%s makes or calls %s" u.Method u.Made)
                |> List.distinct
            Expect.isEmpty violations "Scalars are held for the length of every call"
        }
    ]
