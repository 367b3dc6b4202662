/// Which TorchSharp members make a `Scalar` they do not hold, and whether our assemblies hold every Scalar they make.
///
/// TorchSharp 0.107 passes a Scalar's raw handle to native code; a Scalar that nothing references any more can be
/// finalised by the garbage collector while that native call still reads it, which silently changes the number (or
/// crashes). TorchSharp's own code never disposes the Scalars it makes (`t.add(u)` is `t.add(u, 1)` with an implicit
/// Scalar 1; `leaky_relu(x, 0.2)` converts 0.2 behind the caller's back), so every public member that reaches such a
/// conversion is unsafe to call. `unsafeMembers` finds them from TorchSharp's IL; `build/BannedSymbols.TorchSharp.txt`
/// lists them for the C# analyzer (RS0030 is an error in the runtime), and `unheldScalars` checks compiled code of
/// any language (the F# assemblies, which the analyzer cannot read) for Scalars made and not held.
module GanFlow.Tests.ScalarSafety

open System
open System.Reflection
open GanFlow.Tests.IlCalls

/// Whether `m` hands its caller a new Scalar (a conversion, a constructor, `ToScalar`, …).
let makesScalar (m: MethodBase) =
    match m with
    | :? ConstructorInfo as c -> (match c.DeclaringType with null -> false | t -> t.FullName = "TorchSharp.Scalar")
    | :? MethodInfo as mi -> mi.ReturnType.FullName = "TorchSharp.Scalar"
    | _ -> false

/// Whether `m` disposes what it is called on (`Dispose()`).
let private isDispose (m: MethodBase) = m.Name = "Dispose" && m.GetParameters().Length = 0

/// A TorchSharp module type: one deriving from `TorchSharp.torch.nn.Module`.
let rec private isModule (t: Type | null) =
    match t with
    | null -> false
    | t -> t.FullName = "TorchSharp.torch+nn+Module" || isModule t.BaseType

/// Whether a member is visible to code outside TorchSharp (public or protected, on a visible type).
let private visible (m: MethodBase) =
    (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && (match m.DeclaringType with null -> false | t -> t.IsVisible)

/// The IDs of every member of `torchSharp` that is unsafe to call: the implicit number-to-Scalar conversions; every
/// member whose body makes a Scalar without handing it to its caller (TorchSharp never holds one), and every member
/// that calls such a member, transitively; and the constructors of module types whose `forward` is unsafe (so that
/// the factories making them, e.g. `nn.LeakyReLU`, are unsafe too: a module is called through its base type, where
/// no analyzer sees which `forward` runs). Only members callable from outside TorchSharp are returned, sorted.
let unsafeMembers (torchSharp: Assembly) : string list =
    let members = declaredMembers torchSharp |> List.filter (fun m -> not m.IsAbstract)
    let calls = Collections.Generic.Dictionary<string, string list>()
    let byId = Collections.Generic.Dictionary<string, MethodBase>()
    let unsafe = Collections.Generic.HashSet<string>()
    for m in members do
        let id = memberId m
        let called = calledMembers m
        byId[id] <- m
        calls[id] <- (match calls.TryGetValue id with | true, c -> c | _ -> []) @ (called |> List.map memberId)
        let direct = (m.Name = "op_Implicit" && makesScalar m) || (not (makesScalar m) && called |> List.exists makesScalar)
        if direct then unsafe.Add id |> ignore
    // A module whose forward is unsafe: its constructors are unsafe.
    let forwardUnsafe (t: Type) =
        members |> List.exists (fun m -> obj.ReferenceEquals(m.DeclaringType, t) && m.Name = "forward" && unsafe.Contains(memberId m))
    let propagate () =
        let mutable changed = false
        for KeyValue(id, callees) in calls do
            if not (unsafe.Contains id) && callees |> List.exists unsafe.Contains then
                unsafe.Add id |> ignore
                changed <- true
        for m in members do
            if m :? ConstructorInfo && isModule m.DeclaringType && not (unsafe.Contains(memberId m)) && forwardUnsafe (nonNull m.DeclaringType) then
                unsafe.Add(memberId m) |> ignore
                changed <- true
        changed
    while propagate () do ()
    unsafe
    |> Seq.filter (fun id -> match byId.TryGetValue id with | true, m -> visible m | _ -> false)
    |> Seq.sort
    |> List.ofSeq

/// One Scalar made and not held by a method of ours.
type UnheldScalar = { Method: string; Made: string }

/// The Scalars `assembly`'s methods make and do not hold: a call returning a new Scalar (`ToScalar`, a conversion)
/// whose result is not stored in a local that is later disposed (C#'s `using var`, F#'s `use`), nor in a field (the
/// owner holds it: a process-lifetime or object-lifetime constant), nor returned to the caller (a Scalar-returning
/// method hands it on). Also every call of a member in `banned`.
let unheldScalars (banned: Set<string>) (assembly: Assembly) : UnheldScalar list =
    [ for m in declaredMembers assembly do
        let body = instructions m
        let code = body |> Array.map fst
        // F#'s `use` copies the local before disposing it (ldloc x; isinst IDisposable; stloc y; … ldloc y; Dispose).
        let copies =
            [ for k in 0 .. code.Length - 3 do
                match Op.loadedLocal code[k], Op.storedLocal code[k + 1], Op.storedLocal code[k + 2] with
                | Some x, Some y, _ -> yield y, x
                | Some x, None, Some y when code[k + 1].Code = Op.isinst || code[k + 1].Code = Op.castclass -> yield y, x
                | _ -> () ]
        let disposedDirectly =
            body
            |> Array.pairwise
            |> Array.choose (fun ((load, _), (_, callee)) ->
                match Op.loadedLocal load, callee with
                | Some local, Some c when isDispose c -> Some local
                | _ -> None)
            |> Set.ofArray
        let disposedLocals = copies |> List.fold (fun held (copy, original) -> if Set.contains copy held then Set.add original held else held) disposedDirectly
        let name = sprintf "%s.%s" (match m.DeclaringType with null -> "" | t -> string t.FullName) m.Name
        for index in 0 .. body.Length - 1 do
            match body[index] with
            | _, Some callee when banned.Contains(memberId callee) -> yield { Method = name; Made = memberId callee }
            | _, Some callee when makesScalar callee ->
                let held =
                    if index + 1 >= body.Length then false
                    else
                        let next, _ = body[index + 1]
                        match Op.storedLocal next with
                        | Some local -> disposedLocals.Contains local
                        | None -> next.Code = Op.stfld || next.Code = Op.stsfld || (next.Code = Op.ret && makesScalar m)
                if not held then yield { Method = name; Made = memberId callee }
            | _ -> () ]

/// The banned-symbols file for `ids`: a header saying what it is and how it is made, then one ID per line with the
/// analyzer's message.
let bannedFileLines (ids: string list) =
    [ "# TorchSharp members that make a Scalar they do not hold: a garbage collection can free it while native code reads"
      "# it (tests/GanFlow.Tests/ScalarSafety.fs). Generated by `dotnet fsi build/BannedSymbols.fsx`; do not edit."
      "# Use GanFlow.Runtime.Modules.HeldScalars or hold the Scalar in `using var s = x.ToScalar();` instead."
      yield! ids |> List.map (fun id -> id + ";makes a Scalar it does not hold (see build/BannedSymbols.fsx)") ]
