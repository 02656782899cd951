using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Meterai.Gateway.Tests.Architecture;

/// <summary>
/// The gateway's namespaces as a graph read from its compiled IL: signatures (base types, interfaces, fields,
/// method parameters, results, locals, attributes, generic constraints) and every type, method and field token
/// in method bodies, so a call inside a lambda or an async method counts as much as a constructor parameter.
/// Nested and compiler-generated types count as their outermost type; types outside a namespace (the top-level
/// <c>Program</c>) count as <c>Meterai.Gateway</c>.
/// </summary>
internal sealed class NamespaceGraph
{
    public const string Root = "Meterai.Gateway";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private NamespaceGraph(Dictionary<string, SortedSet<string>> edges, Dictionary<(string From, string To), SortedSet<string>> why)
    {
        Edges = edges;
        Why = why;
    }

    /// <summary>Namespace → the gateway namespaces it references (never itself).</summary>
    public Dictionary<string, SortedSet<string>> Edges { get; }

    /// <summary>For each edge, the "Type→Type" pairs that make it.</summary>
    public Dictionary<(string From, string To), SortedSet<string>> Why { get; }

    public IEnumerable<(string From, string To)> AllEdges =>
        Edges.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value.Select(to => (e.Key, to)));

    public static NamespaceGraph Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var provider = new TypeNames(reader);
        var edges = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var why = new Dictionary<(string, string), SortedSet<string>>();

        foreach (var handle in reader.TypeDefinitions)
        {
            var (fromNamespace, fromName) = provider.Outermost(handle);
            if (fromName.StartsWith('<') || !IsGateway(fromNamespace))
            {
                continue; // <Module>, <PrivateImplementationDetails>, and what generators and the compiler embed in their own namespaces
            }

            edges.TryAdd(fromNamespace, new SortedSet<string>(StringComparer.Ordinal));
            foreach (var (toNamespace, toName) in References(reader, pe, provider, handle))
            {
                if (toNamespace == fromNamespace || toName.StartsWith('<') || !IsGateway(toNamespace))
                {
                    continue;
                }

                edges[fromNamespace].Add(toNamespace);
                var reasons = why.TryGetValue((fromNamespace, toNamespace), out var set) ? set : why[(fromNamespace, toNamespace)] = new SortedSet<string>(StringComparer.Ordinal);
                reasons.Add($"{fromName}→{toName}");
            }
        }

        return new NamespaceGraph(edges, why);
    }

    private static bool IsGateway(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal);

    /// <summary>Every strongly connected set of two or more namespaces (Tarjan), each sorted, largest first.</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.TryGetValue(node, out var targets) ? targets : [])
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    found.Add(component.Order(StringComparer.Ordinal).ToList());
                }
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return found.OrderByDescending(c => c.Count).ToList();
    }

    private static List<(string Namespace, string Name)> References(MetadataReader reader, PEReader pe, TypeNames provider, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var found = new List<(string, string)>();
        if (!type.BaseType.IsNil)
        {
            found.AddRange(provider.OfEntity(type.BaseType));
        }

        foreach (var implementation in type.GetInterfaceImplementations())
        {
            found.AddRange(provider.OfEntity(reader.GetInterfaceImplementation(implementation).Interface));
        }

        foreach (var parameter in type.GetGenericParameters())
        {
            foreach (var constraint in reader.GetGenericParameter(parameter).GetConstraints())
            {
                found.AddRange(provider.OfEntity(reader.GetGenericParameterConstraint(constraint).Type));
            }
        }

        found.AddRange(Attributes(reader, provider, type.GetCustomAttributes()));
        foreach (var fieldHandle in type.GetFields())
        {
            var field = reader.GetFieldDefinition(fieldHandle);
            found.AddRange(field.DecodeSignature(provider, null));
            found.AddRange(Attributes(reader, provider, field.GetCustomAttributes()));
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            found.AddRange(Attributes(reader, provider, reader.GetPropertyDefinition(propertyHandle).GetCustomAttributes()));
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(methodHandle);
            found.AddRange(TypeNames.OfMethodSignature(method.DecodeSignature(provider, null)));
            found.AddRange(Attributes(reader, provider, method.GetCustomAttributes()));
            foreach (var parameterHandle in method.GetParameters())
            {
                found.AddRange(Attributes(reader, provider, reader.GetParameter(parameterHandle).GetCustomAttributes()));
            }

            if (method.RelativeVirtualAddress != 0)
            {
                found.AddRange(Body(reader, pe.GetMethodBody(method.RelativeVirtualAddress), provider));
            }
        }

        return found;
    }

    private static IEnumerable<(string, string)> Attributes(MetadataReader reader, TypeNames provider, CustomAttributeHandleCollection attributes) =>
        attributes.SelectMany(a => provider.OfEntity(reader.GetCustomAttribute(a).Constructor));

    private static List<(string, string)> Body(MetadataReader reader, MethodBodyBlock body, TypeNames provider)
    {
        var found = new List<(string, string)>();
        if (!body.LocalSignature.IsNil)
        {
            var locals = reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
            found.AddRange(locals.SelectMany(l => l));
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    found.AddRange(provider.OfEntity(MetadataTokens.EntityHandle(il.ReadInt32())));
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }

        return found;
    }

    /// <summary>Decodes signatures into the gateway types they name (types of other assemblies name nothing).</summary>
    private sealed class TypeNames(MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<(string Namespace, string Name)>, object?>
    {
        private static readonly ImmutableArray<(string, string)> None = [];

        public (string Namespace, string Name) Outermost(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            while (type.GetDeclaringType() is { IsNil: false } declaring)
            {
                type = reader.GetTypeDefinition(declaring);
            }

            var ns = reader.GetString(type.Namespace);
            return (ns.Length == 0 ? Root : ns, reader.GetString(type.Name));
        }

        public static IEnumerable<(string, string)> OfMethodSignature(MethodSignature<ImmutableArray<(string, string)>> signature) =>
            signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p));

        public IEnumerable<(string, string)> OfEntity(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return [Outermost((TypeDefinitionHandle)handle)];
                case HandleKind.TypeSpecification:
                    return reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return OfMethodSignature(method.DecodeSignature(this, null)).Append(Outermost(method.GetDeclaringType()));
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    return field.DecodeSignature(this, null).Append(Outermost(field.GetDeclaringType()));
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return specification.DecodeSignature(this, null).SelectMany(a => a).Concat(OfEntity(specification.Method));
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    var parent = OfEntity(member.Parent);
                    return member.GetKind() == MemberReferenceKind.Method
                        ? parent.Concat(OfMethodSignature(member.DecodeMethodSignature(this, null)))
                        : parent.Concat(member.DecodeFieldSignature(this, null));
                default:
                    return None; // TypeReference: another assembly's type
            }
        }

        public ImmutableArray<(string, string)> GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) => [Outermost(handle)];

        public ImmutableArray<(string, string)> GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) => None;

        public ImmutableArray<(string, string)> GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);

        public ImmutableArray<(string, string)> GetGenericInstantiation(ImmutableArray<(string, string)> genericType, ImmutableArray<ImmutableArray<(string, string)>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(a => a));

        public ImmutableArray<(string, string)> GetArrayType(ImmutableArray<(string, string)> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<(string, string)> GetByReferenceType(ImmutableArray<(string, string)> elementType) => elementType;

        public ImmutableArray<(string, string)> GetPointerType(ImmutableArray<(string, string)> elementType) => elementType;

        public ImmutableArray<(string, string)> GetSZArrayType(ImmutableArray<(string, string)> elementType) => elementType;

        public ImmutableArray<(string, string)> GetPinnedType(ImmutableArray<(string, string)> elementType) => elementType;

        public ImmutableArray<(string, string)> GetModifiedType(ImmutableArray<(string, string)> modifier, ImmutableArray<(string, string)> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<(string, string)> GetFunctionPointerType(MethodSignature<ImmutableArray<(string, string)>> signature) => [.. OfMethodSignature(signature)];

        public ImmutableArray<(string, string)> GetGenericMethodParameter(object? context, int index) => None;

        public ImmutableArray<(string, string)> GetGenericTypeParameter(object? context, int index) => None;

        public ImmutableArray<(string, string)> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
    }
}
