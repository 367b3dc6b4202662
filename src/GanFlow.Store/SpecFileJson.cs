using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GanFlow.Core.Specs;

namespace GanFlow.Store;

/// <summary>
/// Reading a spec file a person wrote (<c>ganflow run --spec FILE</c>) strictly: a field the spec type does not have (a
/// typo such as <c>learningrate</c>) is refused instead of silently leaving the default in place, and every error names
/// the field's JSON path and its real line, also in a pretty-printed file. Files the tool wrote itself (a run folder's
/// <c>spec.json</c>, <c>summary.json</c>) are read by <see cref="RunStore.ParseJson{T}"/>.
/// </summary>
public static class SpecFileJson
{
    /// <summary>Where one property of a JSON text is: its path (<c>model.generator.Mlp.network.width</c>,
    /// <c>cells[2].seed</c>), its 1-based line, and whether its value is <c>null</c>.</summary>
    public sealed record Property(string Path, int Line, bool IsNull);

    /// <summary>Parses <paramref name="text"/> as a <typeparamref name="T"/>, refusing unknown fields.</summary>
    /// <exception cref="RunFolderException">The text is not a <typeparamref name="T"/>, holds a field it does not have or one twice;
    /// the message names <paramref name="source"/>, the line and the field's path.</exception>
    public static T Parse<T>(string text, string source) where T : class
    {
        if (string.IsNullOrWhiteSpace(text)) return RunStore.ParseJson<T>(text, source); // its refusal: empty
        var properties = Properties(text);
        // A field given twice: the reader would keep one of them silently (or fail with a dictionary's message).
        if (properties.GroupBy(p => p.Path).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            var lines = twice.Select(p => p.Line).ToList();
            throw new RunFolderException($"{source} line {lines[1]}: {twice.Key}: given twice (first on line {lines[0]}); a spec names each field once");
        }
        T value;
        try
        {
            if (SpecJson.isNullDocument(text)) throw new RunFolderException($"{source}: holds null, not {SpecJson.withArticle(typeof(T))}");
            value = SpecJson.deserialize<T>(text);
        }
        catch (JsonException e)
        {
            // The F# converter's errors lose the path (and so the line): find the value at fault by descending the type.
            if (SpecJson.locateError<T>(text)?.Value is { } located)
            {
                var (path, reason) = located;
                if (MissingField(properties, path, reason) is { } missing)
                    throw new RunFolderException($"{source} line {missing.Line}: {(path == "" ? "" : path + ": ")}{missing.Reason}");
                throw new RunFolderException($"{source} line {LineOf(properties, path)}: {(path == "" ? "" : path + ": ")}{InWords(reason)}");
            }
            throw new RunFolderException($"{source} line {(e.LineNumber ?? 0) + 1}: {Reason(e)}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new RunFolderException($"{source}: not a valid {typeof(T).Name} ({e.Message})");
        }
        if (SpecJson.isLegacy(text)) return value; // an older file's model form, upgraded: its paths are not the current ones
        var known = new HashSet<string>(StringComparer.Ordinal);
        Collect(JsonSerializer.SerializeToNode(value, SpecJson.options), "", known);
        var reported = new List<string>();
        foreach (var p in properties)
        {
            if (p.IsNull || known.Contains(p.Path) || reported.Any(r => p.Path.StartsWith(r + ".", StringComparison.Ordinal) || p.Path.StartsWith(r + "[", StringComparison.Ordinal)))
                continue;
            reported.Add(p.Path);
        }
        if (reported.Count > 0)
        {
            var first = properties.First(p => p.Path == reported[0]);
            var siblings = Siblings(known, first.Path);
            throw new RunFolderException(
                $"{source} line {first.Line}: {first.Path}: no such field in this {typeof(T).Name} spec" +
                (siblings.Count > 0 ? $" (fields here: {string.Join(", ", siblings)})" : "") +
                (reported.Count > 1 ? $"; also unknown: {string.Join(", ", reported.Skip(1).Select(r => $"{r} (line {properties.First(p => p.Path == r).Line})"))}" : ""));
        }
        return value;
    }

    /// <summary>Every property of <paramref name="text"/> in document order (empty when it does not parse).</summary>
    public static IReadOnlyList<Property> Properties(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var result = new List<Property>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new List<(bool IsArray, string Name, int Index)>();
        var line = 1;
        long counted = 0;
        string? pending = null; // the property whose value comes next
        int pendingLine = 0;
        try
        {
            while (reader.Read())
            {
                var at = reader.TokenStartIndex;
                for (; counted < at; counted++) if (bytes[counted] == (byte)'\n') line++;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var top = frames[^1];
                        frames[^1] = (false, reader.GetString() ?? "", top.Index);
                        pending = PathOf(frames);
                        pendingLine = line;
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        continue;
                }
                // A value: an array element advances its index; a property's value records the property.
                if (frames.Count > 0 && frames[^1].IsArray) frames[^1] = (true, "", frames[^1].Index + 1);
                if (pending is not null)
                {
                    result.Add(new Property(pending, pendingLine, reader.TokenType == JsonTokenType.Null));
                    pending = null;
                }
                if (reader.TokenType is JsonTokenType.StartObject) frames.Add((false, "", -1));
                else if (reader.TokenType is JsonTokenType.StartArray) frames.Add((true, "", -1));
            }
        }
        catch (JsonException)
        {
            // Not JSON past this point: the deserializer's own error names the line.
        }
        return result;
    }

    private static string PathOf(List<(bool IsArray, string Name, int Index)> frames)
    {
        var path = new StringBuilder();
        foreach (var (isArray, name, index) in frames)
        {
            if (isArray) path.Append('[').Append(index).Append(']');
            else if (name != "")
            {
                if (path.Length > 0) path.Append('.');
                path.Append(name);
            }
        }
        return path.ToString();
    }

    private static void Collect(JsonNode? node, string path, HashSet<string> known)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var at = path == "" ? key : path + "." + key;
                    known.Add(at);
                    Collect(value, at, known);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Collect(a[i], $"{path}[{i}]", known);
                break;
        }
    }

    /// <summary>The known field names beside <paramref name="path"/> (same parent), for the refusal's hint.</summary>
    private static List<string> Siblings(HashSet<string> known, string path)
    {
        var cut = path.LastIndexOf('.');
        var parent = cut < 0 ? "" : path[..cut];
        return known.Where(k => (parent == "" ? !k.Contains('.') && !k.Contains('[') : k.StartsWith(parent + ".", StringComparison.Ordinal)
                                   && !k[(parent.Length + 1)..].Contains('.') && !k[(parent.Length + 1)..].Contains('[')))
            .Select(k => parent == "" ? k : k[(parent.Length + 1)..]).ToList();
    }

    /// <summary>The line of <paramref name="path"/>, or of its nearest ancestor that the text has; 1 when none.</summary>
    public static int LineOf(IReadOnlyList<Property> properties, string path)
    {
        for (var p = path; p != ""; p = Parent(p))
            if (properties.FirstOrDefault(x => x.Path == p) is { } found) return found.Line;
        return 1;
    }

    /// <summary>The line of a validation error's field (dotted, union cases as camel-case segments, e.g.
    /// <c>model.generator.mlp.network.width</c>): the property whose path, compared without case, is that field; null when
    /// the text has none (a default the file left out).</summary>
    public static int? LineOfField(IReadOnlyList<Property> properties, string field)
    {
        var wanted = field.Split('.');
        return properties.FirstOrDefault(p => Matches(p.Path.Split('.').Where(s => s is not ("item" or "Item")).ToArray(), wanted))?.Line;
    }

    /// <summary>Whether a validation field's segments are a JSON path's, where the path may also hold union case tags
    /// (upper-case first letter) that the field leaves out; compared without case.</summary>
    /// <remarks>A tag may also spell a field's name (<c>data.Law.law.TwoMoons.noise</c> for the field
    /// <c>data.law.noise</c>), so a tag is tried both ways: as the field's segment and as left out.</remarks>
    private static bool Matches(string[] path, string[] field) => Matches(path, 0, field, 0);

    private static bool Matches(string[] path, int i, string[] field, int k)
    {
        if (i == path.Length) return k == field.Length;
        var segment = path[i];
        if (k < field.Length && string.Equals(segment, field[k], StringComparison.OrdinalIgnoreCase) && Matches(path, i + 1, field, k + 1))
            return true;
        return segment.Length > 0 && char.IsUpper(segment[0]) && Matches(path, i + 1, field, k);
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }

    /// <summary>A record's field left out (<c>Missing field for record type GanFlow.Core.Training.Adam: learningRate</c>), in
    /// a spec's words: the field and the record by their short names, and the names the object holds instead that the
    /// record does not have (the usual cause: a misspelt or miscased <c>learningrate</c>), with the first one's line.
    /// Null when <paramref name="reason"/> is not that complaint.</summary>
    private static (int Line, string Reason)? MissingField(IReadOnlyList<Property> properties, string path, string reason)
    {
        var missing = System.Text.RegularExpressions.Regex.Match(reason, @"^Missing field for record type ([\w.+`]+): (\w+)");
        if (!missing.Success) return null;
        var typeName = missing.Groups[1].Value;
        var shortName = typeName[(typeName.LastIndexOfAny(['.', '+']) + 1)..];
        var record = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        var words = $"missing field {missing.Groups[2].Value} of {shortName}";
        // Without the record's fields, which names it lacks cannot be told: the plain words.
        if (record is null || !Microsoft.FSharp.Reflection.FSharpType.IsRecord(record, null)) return (LineOf(properties, path), words);
        var fields = Microsoft.FSharp.Reflection.FSharpType.GetRecordFields(record, null)
            .Select(f => JsonNamingPolicy.CamelCase.ConvertName(f.Name)).ToHashSet(StringComparer.Ordinal);
        var prefix = path == "" ? "" : path + ".";
        var strangers = properties
            .Where(p => p.Path.StartsWith(prefix, StringComparison.Ordinal) && p.Path.Length > prefix.Length
                        && p.Path[prefix.Length..].IndexOfAny(['.', '[']) < 0 && !fields.Contains(p.Path[prefix.Length..]))
            .ToList();
        if (strangers.Count == 0) return (LineOf(properties, path), words);
        var given = string.Join(", ", strangers.Select(p => $"{p.Path[prefix.Length..]} (line {p.Line})"));
        var miscased = strangers.Any(p => string.Equals(p.Path[prefix.Length..], missing.Groups[2].Value, StringComparison.OrdinalIgnoreCase));
        return (strangers[0].Line, $"{words}; it holds {given}, which {shortName} does not have" + (miscased ? " (field names are case-sensitive)" : ""));
    }

    /// <summary>The deserializer's usual complaints in the words of a spec's rules.</summary>
    private static string InWords(string reason)
    {
        var token = System.Text.RegularExpressions.Regex.Match(reason, @"^Cannot get the value of a token type '(\w+)' as a (number|string|boolean)");
        if (token.Success) return $"must be a {token.Groups[2].Value}, not a {token.Groups[1].Value.ToLowerInvariant()}";
        if (reason.Contains("out of bounds for an Int32", StringComparison.Ordinal))
            return "must be a whole number (no fraction) no larger than 2147483647";
        if (reason.Contains("out of bounds for an Int64", StringComparison.Ordinal))
            return "must be a whole number (no fraction) no larger than 9223372036854775807";
        // FSharp.SystemTextJson's "Unknow case for union type T: X": say which cases there are.
        var unknownCase = System.Text.RegularExpressions.Regex.Match(reason, @"^Unknown? case for union type ([\w.+]+): (.*)$");
        if (unknownCase.Success)
        {
            var typeName = unknownCase.Groups[1].Value;
            var union = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
            var shortName = typeName[(typeName.LastIndexOfAny(['.', '+']) + 1)..];
            var cases = union is not null && Microsoft.FSharp.Reflection.FSharpType.IsUnion(union, null)
                ? "; the cases are " + string.Join(", ", Microsoft.FSharp.Reflection.FSharpType.GetUnionCases(union, null).Select(c => c.Name))
                : "";
            return $"{unknownCase.Groups[2].Value} is not a case of {shortName}{cases}";
        }
        return reason;
    }

    /// <summary>The reason of a deserializer's error without its own "Path: … | LineNumber: …" tail.</summary>
    private static string Reason(JsonException e)
    {
        var reason = e.InnerException?.Message ?? e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? reason[..cut] : reason;
    }
}
