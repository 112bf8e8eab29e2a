namespace DlibModels.Dnn.Architecture;

/// <summary>What a node of a network architecture is.</summary>
public enum NodeKind
{
    /// <summary>A computational layer stored in an <c>add_layer</c> wrapper.</summary>
    Layer,

    /// <summary><c>tagN</c>.</summary>
    Tag,

    /// <summary><c>skipN</c>.</summary>
    Skip,
}

/// <summary>
/// One node of an architecture, from the outermost (just under the loss) inwards: a layer template
/// with its numeric arguments (e.g. <c>con</c> with 32,5,5,2,2), or a tag/skip with its id.
/// </summary>
/// <param name="Kind">Layer, tag or skip.</param>
/// <param name="Name">The dlib template name (<c>con</c>, <c>relu</c>, <c>add_prev</c>, <c>tag</c>...).</param>
/// <param name="Numbers">Numeric template arguments (for add_prev and tag/skip: the tag id; for concat: the tag ids).</param>
public sealed record ArchitectureNode(NodeKind Kind, string Name, IReadOnlyList<long> Numbers)
{
    /// <inheritdoc/>
    public override string ToString() => Numbers.Count == 0 ? Name : $"{Name}<{string.Join(",", Numbers)}>";
}

/// <summary>
/// A network architecture as a chain: the loss, the nodes from the outermost inwards, and the input.
/// Built from a dlib type expression (<see cref="FromTypeExpression"/>) or inferred from a file.
/// </summary>
/// <param name="Loss">The loss template name (<c>loss_mmod</c>...).</param>
/// <param name="Nodes">Nodes from the outermost inwards.</param>
/// <param name="Input">The input term (<c>input_rgb_image_sized&lt;150&gt;</c>...).</param>
/// <param name="Text">The text it came from.</param>
public sealed record NetArchitecture(string Loss, IReadOnlyList<ArchitectureNode> Nodes, TypeTerm Input, string Text)
{
    private static readonly HashSet<string> Losses = new(StringComparer.Ordinal) { "loss_mmod", "loss_metric", "loss_multiclass_log" };

    private static readonly Dictionary<string, int> LayerArity = new(StringComparer.Ordinal)
    {
        ["con"] = 5,
        ["fc"] = 1,
        ["fc_no_bias"] = 1,
        ["relu"] = 0,
        ["affine"] = 0,
        ["bn_con"] = 0,
        ["bn_fc"] = 0,
        ["max_pool"] = 4,
        ["avg_pool"] = 4,
        ["max_pool_everything"] = 0,
        ["avg_pool_everything"] = 0,
        ["dropout"] = 0,
        ["multiply"] = 0,
    };

    /// <summary>Parses a dlib type expression (with its template aliases) into an architecture.</summary>
    /// <exception cref="ArchitectureException">The text is invalid or uses an unsupported template.</exception>
    public static NetArchitecture FromTypeExpression(string text)
    {
        TypeTerm term = TypeExpressionParser.ParseNetwork(text);
        if (!Losses.Contains(term.Name) || term.Args is not { Count: 1 })
        {
            throw new ArchitectureException($"the network must start with a supported loss layer ({string.Join(", ", Losses)}), found '{term.Name}'");
        }

        var nodes = new List<ArchitectureNode>();
        TypeTerm current = term.Args[0];
        while (true)
        {
            if (current.Name.StartsWith("input", StringComparison.Ordinal))
            {
                return new NetArchitecture(term.Name, nodes, current, text);
            }

            if (current.Args is null || current.Args.Count == 0)
            {
                throw new ArchitectureException($"'{current.Name}' has no SUBNET argument and is not a known input layer");
            }

            IReadOnlyList<TypeTerm> args = current.Args;
            TypeTerm sub = args[^1];
            nodes.Add(ToNode(current.Name, args.Take(args.Count - 1).ToList()));
            current = sub;
            if (nodes.Count > 100_000)
            {
                throw new ArchitectureException("the network is too deep");
            }
        }
    }

    private static ArchitectureNode ToNode(string name, List<TypeTerm> args)
    {
        if (TrySplitNumbered(name, "tag", out int tag) && args.Count == 0)
        {
            return new ArchitectureNode(NodeKind.Tag, "tag", [tag]);
        }

        if (TrySplitNumbered(name, "skip", out int skip) && args.Count == 0)
        {
            return new ArchitectureNode(NodeKind.Skip, "skip", [skip]);
        }

        if (TrySplitNumbered(name, "add_prev", out int prev) && args.Count == 0)
        {
            return new ArchitectureNode(NodeKind.Layer, "add_prev", [prev]);
        }

        if (name == "add_prev" && args.Count == 1 && TrySplitNumbered(args[0].Name, "tag", out int prevTag))
        {
            return new ArchitectureNode(NodeKind.Layer, "add_prev", [prevTag]);
        }

        if (name == "add_tag_layer" && args.Count == 1 && args[0].IsNumber)
        {
            return new ArchitectureNode(NodeKind.Tag, "tag", [args[0].Number]);
        }

        if (name == "add_skip_layer" && args.Count == 1 && TrySplitNumbered(args[0].Name, "tag", out int skipTag))
        {
            return new ArchitectureNode(NodeKind.Skip, "skip", [skipTag]);
        }

        if (name == "concat_prev" || name.StartsWith("concat", StringComparison.Ordinal))
        {
            var ids = new List<long>();
            foreach (TypeTerm a in args)
            {
                if (!TrySplitNumbered(a.Name, "tag", out int id))
                {
                    throw new ArchitectureException($"'{name}' arguments must be tag templates (tag1, tag2...), found '{a}'");
                }

                ids.Add(id);
            }

            return new ArchitectureNode(NodeKind.Layer, "concat", ids);
        }

        if (!LayerArity.TryGetValue(name, out int arity))
        {
            throw new ArchitectureException($"unsupported layer template '{name}' (supported: {string.Join(", ", LayerArity.Keys)}, tagN, skipN, add_prevN, concat)");
        }

        if (args.Count != arity || args.Any(a => !a.IsNumber))
        {
            throw new ArchitectureException($"'{name}' takes {arity} numeric arguments before SUBNET, found <{string.Join(",", args)}>");
        }

        return new ArchitectureNode(NodeKind.Layer, name, args.Select(a => a.Number).ToList());
    }

    private static bool TrySplitNumbered(string name, string prefix, out int number)
    {
        number = 0;
        return name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }
}
