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

/// <summary>An element of an architecture's chain: a node, or a <c>repeat</c> of a block of items.</summary>
public abstract record ArchitectureItem;

/// <summary>
/// dlib's <c>repeat&lt;N, BLOCK, SUBNET&gt;</c>: <paramref name="Count"/> copies of a block, each a chain of
/// items from its outermost inwards whose innermost sits on the previous copy (the last copy on SUBNET).
/// </summary>
/// <param name="Count">N, the number of copies.</param>
/// <param name="Block">One copy's items from the outermost inwards.</param>
public sealed record ArchitectureRepeat(int Count, IReadOnlyList<ArchitectureItem> Block) : ArchitectureItem
{
    /// <summary>The block's nodes flattened (nested repeats expanded), outermost first.</summary>
    public IReadOnlyList<ArchitectureNode> BlockNodes => NetArchitecture.Flatten(Block);
}

/// <summary>
/// One node of an architecture, from the outermost (just under the loss) inwards: a layer template
/// with its numeric arguments (e.g. <c>con</c> with 32,5,5,2,2), or a tag/skip with its id.
/// </summary>
/// <param name="Kind">Layer, tag or skip.</param>
/// <param name="Name">The dlib template name (<c>con</c>, <c>relu</c>, <c>add_prev</c>, <c>tag</c>...).</param>
/// <param name="Numbers">Numeric template arguments (for add_prev and tag/skip: the tag id; for concat: the tag ids).</param>
public sealed record ArchitectureNode(NodeKind Kind, string Name, IReadOnlyList<long> Numbers) : ArchitectureItem
{
    /// <inheritdoc/>
    public override string ToString() => Numbers.Count == 0 ? Name : $"{Name}<{string.Join(",", Numbers)}>";
}

/// <summary>
/// A network architecture as a chain: the loss, the nodes from the outermost inwards, and the input.
/// Built from a dlib type expression (<see cref="FromTypeExpression"/>) or inferred from a file.
/// </summary>
/// <param name="Loss">The loss template name (<c>loss_mmod</c>...).</param>
/// <param name="Chain">Nodes and repeats from the outermost inwards, as the file nests them.</param>
/// <param name="Input">The input term (<c>input_rgb_image_sized&lt;150&gt;</c>...).</param>
/// <param name="Text">The text it came from.</param>
public sealed record NetArchitecture(string Loss, IReadOnlyList<ArchitectureItem> Chain, TypeTerm Input, string Text)
{
    /// <summary>
    /// Every node from the outermost inwards with repeats expanded: copy 0 of a repeat (the last one
    /// applied, dlib's <c>details[0]</c>) comes first, the copy nearest the input last.
    /// </summary>
    public IReadOnlyList<ArchitectureNode> Nodes { get; } = Flatten(Chain);

    /// <summary>A short name for display (e.g. the built-in architecture's), or null.</summary>
    public string? Name { get; init; }

    /// <summary>Expands repeats into a flat node list, outermost first.</summary>
    public static IReadOnlyList<ArchitectureNode> Flatten(IReadOnlyList<ArchitectureItem> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var nodes = new List<ArchitectureNode>();
        Append(chain, nodes);
        return nodes;
    }

    private static void Append(IReadOnlyList<ArchitectureItem> chain, List<ArchitectureNode> nodes)
    {
        foreach (ArchitectureItem item in chain)
        {
            if (item is ArchitectureNode n)
            {
                nodes.Add(n);
            }
            else if (item is ArchitectureRepeat r)
            {
                for (int i = 0; i < r.Count; i++)
                {
                    Append(r.Block, nodes);
                }
            }
        }
    }

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

        int total = 0;
        (List<ArchitectureItem> chain, TypeTerm input) = ReadChain(term.Args[0], inBlock: false, depth: 0, ref total);
        return new NetArchitecture(term.Name, chain, input, text);
    }

    /// <summary>The placeholder name standing for a repeated block's input (dlib's <c>repeat_input_layer</c>).</summary>
    internal const string RepeatInput = "repeat_input_layer";

    private const int MaxNodes = 100_000;

    private static (List<ArchitectureItem> Chain, TypeTerm End) ReadChain(TypeTerm current, bool inBlock, int depth, ref int total)
    {
        if (depth > 64)
        {
            throw new ArchitectureException("repeats are nested too deeply");
        }

        var items = new List<ArchitectureItem>();
        while (true)
        {
            if (current.Name == RepeatInput)
            {
                if (!inBlock)
                {
                    throw new ArchitectureException($"'{RepeatInput}' may only end a repeated block");
                }

                return (items, current);
            }

            if (current.Name.StartsWith("input", StringComparison.Ordinal))
            {
                if (inBlock)
                {
                    throw new ArchitectureException($"a repeated block may not contain the input layer ('{current.Name}')");
                }

                if (items.Count == 0)
                {
                    throw new ArchitectureException("the network has no layer between the loss and the input");
                }

                return (items, current);
            }

            if (current.Args is null || current.Args.Count == 0)
            {
                throw new ArchitectureException($"'{current.Name}' has no SUBNET argument and is not a known input layer");
            }

            IReadOnlyList<TypeTerm> args = current.Args;
            if (current.Name == "repeat")
            {
                if (args.Count != 3 || !args[0].IsNumber || args[0].Number <= 0 || args[0].Number > MaxNodes)
                {
                    throw new ArchitectureException($"repeat takes <N, BLOCK, SUBNET> with N a positive count, found <{string.Join(",", args)}>");
                }

                int total0 = total;
                (List<ArchitectureItem> block, _) = ReadChain(args[1], inBlock: true, depth + 1, ref total);
                if (block.Count == 0 || block[^1] is not ArchitectureNode)
                {
                    throw new ArchitectureException($"the block repeated by repeat<{args[0]},...> must hold at least one layer and end with a layer or tag");
                }

                long blockNodes = total - total0;
                total = (int)Math.Min(MaxNodes + 1L, total0 + (blockNodes * args[0].Number));
                if (total > MaxNodes)
                {
                    throw new ArchitectureException($"the network has more than {MaxNodes} layers");
                }

                items.Add(new ArchitectureRepeat((int)args[0].Number, block));
                if (args[2].Name.StartsWith("input", StringComparison.Ordinal) || args[2].Name == RepeatInput)
                {
                    throw new ArchitectureException("the SUBNET of a repeat must hold at least one layer above the input");
                }

                current = args[2];
                continue;
            }

            items.Add(ToNode(current.Name, args.Take(args.Count - 1).ToList()));
            current = args[^1];
            if (++total > MaxNodes)
            {
                throw new ArchitectureException($"the network has more than {MaxNodes} layers");
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

        if (name == "add_layer" && args.Count == 1)
        {
            return FromLayerDetails(args[0]);
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

    /// <summary>Maps <c>add_layer&lt;DETAILS, SUBNET&gt;</c>'s DETAILS (<c>con_&lt;...&gt;</c>, <c>max_pool_&lt;...&gt;</c>...) to a node.</summary>
    private static ArchitectureNode FromLayerDetails(TypeTerm details)
    {
        IReadOnlyList<TypeTerm> a = details.Args ?? [];
        bool numeric = a.All(t => t.IsNumber);
        List<long> n = numeric ? a.Select(t => t.Number).ToList() : [];
        switch (details.Name)
        {
            case "con_" when numeric && (a.Count == 5 || a.Count == 7):
                if (a.Count == 5)
                {
                    n.Add(n[3] != 1 ? 0 : n[1] / 2);
                    n.Add(n[4] != 1 ? 0 : n[2] / 2);
                }

                return new ArchitectureNode(NodeKind.Layer, "con", n);
            case "max_pool_" or "avg_pool_" when numeric && (a.Count == 4 || a.Count == 6):
                if (a.Count == 4)
                {
                    n.Add(n[2] != 1 ? 0 : n[0] / 2);
                    n.Add(n[3] != 1 ? 0 : n[1] / 2);
                }

                return new ArchitectureNode(NodeKind.Layer, details.Name.TrimEnd('_'), n);
            case "fc_" when a.Count == 2 && a[0].IsNumber && a[1].Name is "FC_HAS_BIAS" or "FC_NO_BIAS":
                return new ArchitectureNode(NodeKind.Layer, a[1].Name == "FC_HAS_BIAS" ? "fc" : "fc_no_bias", [a[0].Number]);
            case "relu_" or "affine_" or "dropout_" or "multiply_" when a.Count == 0:
                return new ArchitectureNode(NodeKind.Layer, details.Name.TrimEnd('_'), []);
            case "bn_" when a.Count == 1:
                return new ArchitectureNode(NodeKind.Layer, a[0].Name == "FC_MODE" ? "bn_fc" : "bn_con", []);
            default:
                throw new ArchitectureException($"unsupported add_layer details '{details}' (supported: con_<5 or 7 numbers>, max_pool_/avg_pool_<4 or 6 numbers>, fc_<N,FC_HAS_BIAS|FC_NO_BIAS>, relu_, affine_, bn_<CONV_MODE|FC_MODE>, dropout_, multiply_)");
        }
    }

    private static bool TrySplitNumbered(string name, string prefix, out int number)
    {
        number = 0;
        return name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
    }
}
