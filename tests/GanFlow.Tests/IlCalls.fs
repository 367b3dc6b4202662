/// The members a compiled method calls, read from its IL, and their documentation-comment IDs (the names Roslyn's
/// BannedApiAnalyzers reads). Used to find every TorchSharp member that makes a Scalar it does not hold
/// (`ScalarSafety`) and to check that the F# assemblies call none of them: the analyzer checks only C#.
module GanFlow.Tests.IlCalls

open System
open System.Reflection
open System.Reflection.Emit

/// The operand size of every IL opcode, by its 16-bit value (one-byte opcodes 0x00–0xFF, two-byte 0xFE00–0xFEFF).
let private operandSizes =
    let table = Collections.Generic.Dictionary<int, OperandType>()
    for field in typeof<OpCodes>.GetFields(BindingFlags.Public ||| BindingFlags.Static) do
        match field.GetValue null with
        | :? OpCode as op -> table[int (uint16 op.Value)] <- op.OperandType
        | _ -> ()
    table

/// One decoded IL instruction: its opcode (one-byte codes 0x00–0xFF, two-byte 0xFE00–0xFEFF) and its integer operand
/// (a token, a local's index, a constant; 0 when it has none).
[<Struct>]
type Instruction = { Code: int; Operand: int64 }

/// Opcodes the checks read.
module Op =
    let code (op: OpCode) = int (uint16 op.Value)
    /// call, callvirt, newobj, ldftn, ldvirtftn: a method token.
    let calls = set ([ OpCodes.Call; OpCodes.Callvirt; OpCodes.Newobj; OpCodes.Ldftn; OpCodes.Ldvirtftn ] |> List.map code)
    let stfld, stsfld, ret = code OpCodes.Stfld, code OpCodes.Stsfld, code OpCodes.Ret
    let isinst, castclass = code OpCodes.Isinst, code OpCodes.Castclass

    /// The local a `stloc` stores to, if `i` is one.
    let storedLocal (i: Instruction) =
        match i.Code with
        | c when c >= 0x0A && c <= 0x0D -> Some(int64 (c - 0x0A))
        | 0x13 | 0xFE0E -> Some i.Operand
        | _ -> None

    /// The local an `ldloc` (or `ldloca`) reads, if `i` is one.
    let loadedLocal (i: Instruction) =
        match i.Code with
        | c when c >= 0x06 && c <= 0x09 -> Some(int64 (c - 0x06))
        | 0x11 | 0xFE0C | 0x12 | 0xFE0D -> Some i.Operand
        | _ -> None

/// The instructions of an IL method body, in order.
let decode (body: byte[]) : Instruction[] =
    let instructions = Collections.Generic.List<Instruction>()
    let mutable i = 0
    while i < body.Length do
        let code =
            if body[i] = 0xFEuy && i + 1 < body.Length then
                let c = 0xFE00 ||| int body[i + 1]
                i <- i + 2
                c
            else
                let c = int body[i]
                i <- i + 1
                c
        let operand =
            match operandSizes.TryGetValue code with
            | true, t -> t
            | false, _ -> OperandType.InlineNone
        let size, value =
            match operand with
            | OperandType.InlineNone -> 0, 0L
            | OperandType.ShortInlineBrTarget
            | OperandType.ShortInlineI
            | OperandType.ShortInlineVar -> 1, int64 body[i]
            | OperandType.InlineVar -> 2, int64 (BitConverter.ToUInt16(body, i))
            | OperandType.InlineI8
            | OperandType.InlineR -> 8, BitConverter.ToInt64(body, i)
            | OperandType.InlineSwitch -> 4 + 4 * BitConverter.ToInt32(body, i), 0L
            | _ -> 4, int64 (BitConverter.ToInt32(body, i))
        instructions.Add { Code = code; Operand = value }
        i <- i + size
    instructions.ToArray()

/// The instructions of `m`'s body, each call with the member it calls (resolved in `m`'s module; None when the token
/// does not resolve or the instruction calls nothing).
let instructions (m: MethodBase) : (Instruction * MethodBase option)[] =
    match (try Option.ofObj (m.GetMethodBody()) with _ -> None) with
    | None -> [||]
    | Some body ->
        let typeArgs = match m.DeclaringType with null -> [||] | t when t.IsGenericType -> t.GetGenericArguments() | _ -> [||]
        let methodArgs = if m.IsGenericMethod then m.GetGenericArguments() else [||]
        decode (nonNull (body.GetILAsByteArray()))
        |> Array.map (fun i ->
            if Op.calls.Contains i.Code then
                i, (try Option.ofObj (m.Module.ResolveMethod(int i.Operand, typeArgs, methodArgs)) with _ -> None)
            else i, None)

/// The members `m` calls, in order.
let calledMembers (m: MethodBase) : MethodBase list = instructions m |> Array.choose snd |> List.ofArray

/// Every method and constructor declared in `assembly` (types that fail to load are skipped).
let declaredMembers (assembly: Assembly) : MethodBase list =
    let types =
        try assembly.GetTypes()
        with :? ReflectionTypeLoadException as e -> e.Types |> Array.choose Option.ofObj
    let flags = BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly
    [ for t in types do
        for m in (try t.GetMethods flags with _ -> [||]) do
            yield m :> MethodBase
        for c in (try t.GetConstructors flags with _ -> [||]) do
            yield c :> MethodBase ]

/// The documentation-comment name of a type as it appears in a member's ID (`TorchSharp.torch.Tensor`,
/// ``System.Nullable{System.Double}``, ``0 for a method's type parameter).
let rec typeId (t: Type) : string =
    if t.IsGenericParameter then
        if isNull t.DeclaringMethod then sprintf "`%d" t.GenericParameterPosition else sprintf "``%d" t.GenericParameterPosition
    elif t.IsByRef then typeId (nonNull (t.GetElementType())) + "@"
    elif t.IsPointer then typeId (nonNull (t.GetElementType())) + "*"
    elif t.IsArray then
        let rank = t.GetArrayRank()
        typeId (nonNull (t.GetElementType())) + (if rank = 1 then "[]" else "[" + String.replicate (rank - 1) "0:," + "0:]")
    elif t.IsGenericType && not t.IsGenericTypeDefinition then
        let definition = t.GetGenericTypeDefinition()
        let name: string = definitionName definition
        let tick = name.LastIndexOf '`'
        let name = if tick < 0 then name else name.Substring(0, tick)
        name + "{" + String.Join(",", t.GetGenericArguments() |> Array.map typeId) + "}"
    else definitionName t

/// A type definition's name with its declaring types and namespace, `+` written as `.`.
and private definitionName (t: Type) : string =
    match t.DeclaringType, t.Namespace with
    | declaring, _ when t.IsNested -> definitionName (nonNull declaring) + "." + t.Name
    | _, (null | "") -> t.Name
    | _, space -> space + "." + t.Name

/// The documentation-comment ID of a method or constructor, e.g.
/// `M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)` or `M:TorchSharp.Scalar.op_Implicit(System.Double)~TorchSharp.Scalar`.
/// Property accessors get the property's ID (`P:…`), which is what the analyzer matches.
let memberId (m: MethodBase) : string =
    let m =
        match m with
        | :? MethodInfo as mi when mi.IsGenericMethod && not mi.IsGenericMethodDefinition -> mi.GetGenericMethodDefinition() :> MethodBase
        | _ -> m
    let declaring =
        let t = nonNull m.DeclaringType
        if t.IsGenericType && not t.IsGenericTypeDefinition then t.GetGenericTypeDefinition() else t
    let m =
        if obj.ReferenceEquals(declaring, m.DeclaringType) then m
        else
            // the same member on the generic type definition, so that its parameters read `0, not the instantiation
            nonNull (MethodBase.GetMethodFromHandle(m.MethodHandle, declaring.TypeHandle))
    let owner = definitionName declaring
    let parameters (ps: ParameterInfo[]) =
        if ps.Length = 0 then "" else "(" + String.Join(",", ps |> Array.map (fun p -> typeId p.ParameterType)) + ")"
    let isAccessor = m.IsSpecialName && (m.Name.StartsWith "get_" || m.Name.StartsWith "set_")
    let property =
        if isAccessor then
            declaring.GetProperties(BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly)
            |> Array.tryFind (fun p -> obj.ReferenceEquals(p.GetMethod, m) || obj.ReferenceEquals(p.SetMethod, m))
        else None
    match property with
    | Some p -> sprintf "P:%s.%s%s" owner p.Name (parameters (p.GetIndexParameters()))
    | None ->
        let name =
            match m with
            | :? ConstructorInfo -> if m.IsStatic then "#cctor" else "#ctor"
            | _ -> m.Name
        let arity = if m.IsGenericMethod then sprintf "``%d" (m.GetGenericArguments().Length) else ""
        let conversion =
            match m with
            | :? MethodInfo as mi when mi.Name = "op_Implicit" || mi.Name = "op_Explicit" -> "~" + typeId mi.ReturnType
            | _ -> ""
        sprintf "M:%s.%s%s%s%s" owner name arity (parameters (m.GetParameters())) conversion
