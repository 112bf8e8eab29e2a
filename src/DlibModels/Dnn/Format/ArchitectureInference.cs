using System.Text;
using DlibModels.Dnn.Architecture;
using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>
/// Guesses the tag/skip wiring of a network file from dlib's residual conventions: going up from the
/// input, a lone tag/skip wrapper is a tag; two in a row are a tag followed by a skip to the tag before
/// it (<c>residual_down</c>); <c>add_prev</c> adds the most recent open tag; <c>concat</c> joins the
/// most recent open tags. The result is only accepted after the shape check in binding.
/// </summary>
internal static class ArchitectureInference
{
    public static NetArchitecture Infer(DnnStreamContent content, DlibReader reader)
    {
        int count = content.Wrappers.Count;
        var nodes = new ArchitectureNode[count];
        var open = new List<int>();
        for (int i = count - 1; i >= 0; i--)
        {
            WrapperEntry w = content.Wrappers[i];
            if (w.Kind == WrapperKind.TagOrSkip)
            {
                bool isSkip = i + 1 < count && content.Wrappers[i + 1].Kind == WrapperKind.TagOrSkip && nodes[i + 1].Kind == NodeKind.Tag;
                if (isSkip)
                {
                    if (open.Count < 2)
                    {
                        throw reader.ErrorAt(content.StartOffset, $"cannot infer the wiring: layer<{i}> looks like a skip but fewer than two tags are open below it");
                    }

                    int target = open[^2];
                    open.RemoveAt(open.Count - 2);
                    nodes[i] = new ArchitectureNode(NodeKind.Skip, "skip", [target]);
                }
                else
                {
                    int id = 1;
                    while (open.Contains(id))
                    {
                        id++;
                    }

                    open.Add(id);
                    nodes[i] = new ArchitectureNode(NodeKind.Tag, "tag", [id]);
                }

                continue;
            }

            DlibRecord r = w.Details!;
            nodes[i] = r.Version switch
            {
                "con_4" or "con_5" => new ArchitectureNode(NodeKind.Layer, "con", [r.Int("num_filters"), r.Int("nr"), r.Int("nc"), r.Int("stride_y"), r.Int("stride_x"), r.Int("padding_y"), r.Int("padding_x")]),
                "fc_2" or "fc_3" => new ArchitectureNode(NodeKind.Layer, r.Int("bias_mode") == 0 ? "fc" : "fc_no_bias", [r.Int("num_outputs")]),
                "affine_" or "affine_2" or "bn_con2" or "bn_fc2" => new ArchitectureNode(NodeKind.Layer, "affine", []),
                "relu_" => new ArchitectureNode(NodeKind.Layer, "relu", []),
                "dropout_" => new ArchitectureNode(NodeKind.Layer, "dropout", []),
                "multiply_" => new ArchitectureNode(NodeKind.Layer, "multiply", []),
                "max_pool_2" or "avg_pool_2" => Pool(r),
                "add_prev_" => AddPrev(open, reader, content, i),
                "concat_" => Concat(open, (int)r.Int("tag_count"), reader, content, i),
                _ => throw reader.ErrorAt(r.Offset, $"cannot infer an architecture holding '{r.Version}'"),
            };
        }

        string loss = content.Loss.Version switch
        {
            "loss_mmod_" => "loss_mmod",
            "loss_multiclass_log_" => "loss_multiclass_log",
            _ => "loss_metric",
        };
        TypeTerm input = content.Input.Version switch
        {
            "input_rgb_image_sized" => new TypeTerm("input_rgb_image_sized", 0, [TypeTerm.Num(content.Input.Int("NR")), TypeTerm.Num(content.Input.Int("NC"))]),
            "input_rgb_image_pyramid" or "input_rgb_image_pyramid2" => new TypeTerm("input_rgb_image_pyramid", 0, [new TypeTerm("pyramid_down", 0, [TypeTerm.Num(6)])]),
            "input_rgb_image" => TypeTerm.Ident("input_rgb_image"),
            _ => new TypeTerm("input", 0, [TypeTerm.Ident("matrix")]),
        };
        int cursor = 0;
        List<ArchitectureItem>? chain = Rebuild(content.Chain, nodes, ref cursor);
        if (chain is null)
        {
            return new NetArchitecture(loss, nodes, input, Describe(loss, nodes, input));
        }

        return new NetArchitecture(loss, chain, input, DescribeChain(loss, chain, input));
    }

    /// <summary>
    /// Groups the inferred flat nodes back into the file's repeats; null when the copies of a repeat
    /// were given different wiring (then the architecture cannot be written with <c>repeat</c>).
    /// </summary>
    private static List<ArchitectureItem>? Rebuild(IReadOnlyList<DnnChainItem> chain, ArchitectureNode[] nodes, ref int cursor)
    {
        var items = new List<ArchitectureItem>();
        foreach (DnnChainItem item in chain)
        {
            if (item is WrapperEntry)
            {
                items.Add(nodes[cursor++]);
                continue;
            }

            var r = (RepeatEntry)item;
            List<ArchitectureItem>? first = null;
            string? firstText = null;
            foreach (IReadOnlyList<DnnChainItem> block in r.Blocks)
            {
                List<ArchitectureItem>? copy = Rebuild(block, nodes, ref cursor);
                if (copy is null)
                {
                    return null;
                }

                string text = Render(copy, "SUBNET", []);
                if (first is null)
                {
                    first = copy;
                    firstText = text;
                }
                else if (text != firstText)
                {
                    return null;
                }
            }

            items.Add(new ArchitectureRepeat(r.Blocks.Count, first!));
        }

        return items;
    }

    /// <summary>
    /// Writes a chain as a dlib type declaration: one template alias per repeated block
    /// (<c>template &lt;typename SUBNET&gt; using block1 = ...;</c>) then <c>using net_type = ...;</c>.
    /// </summary>
    internal static string DescribeChain(string loss, IReadOnlyList<ArchitectureItem> chain, TypeTerm input)
    {
        var aliases = new List<(string Name, string Text)>();
        string body = Render(chain, input.ToString(), aliases);
        var sb = new StringBuilder();
        foreach ((string name, string text) in aliases)
        {
            sb.Append("template <typename SUBNET> using ").Append(name).Append(" = ").Append(text).Append(";\n");
        }

        sb.Append("using net_type = ").Append(loss).Append('<').Append(body).Append(">;");
        return sb.ToString();
    }

    private static string Render(IReadOnlyList<ArchitectureItem> items, string inner, List<(string Name, string Text)> aliases)
    {
        var sb = new StringBuilder();
        int closes = 0;
        foreach (ArchitectureItem item in items)
        {
            if (item is ArchitectureNode n)
            {
                sb.Append(Prefix(n));
            }
            else if (item is ArchitectureRepeat r)
            {
                string text = Render(r.Block, "SUBNET", aliases);
                int found = aliases.FindIndex(a => a.Text == text);
                string name = found >= 0 ? aliases[found].Name : $"block{aliases.Count + 1}";
                if (found < 0)
                {
                    aliases.Add((name, text));
                }

                sb.Append("repeat<").Append(r.Count).Append(',').Append(name).Append(',');
            }

            closes++;
        }

        sb.Append(inner).Append('>', closes);
        return sb.ToString();
    }

    private static string Prefix(ArchitectureNode n)
    {
        string name = n.Kind switch
        {
            NodeKind.Tag => $"tag{n.Numbers[0]}",
            NodeKind.Skip => $"skip{n.Numbers[0]}",
            _ when n.Name == "add_prev" => $"add_prev{n.Numbers[0]}",
            _ when n.Name == "concat" => $"concat{n.Numbers.Count}<" + string.Join(",", n.Numbers.Select(x => $"tag{x}")) + ",",
            _ when n.Name == "con" && n.Numbers.Count == 7 => HasDefaultPadding(n.Numbers, 1) ? $"con<{string.Join(",", n.Numbers.Take(5))}," : $"add_layer<con_<{string.Join(",", n.Numbers)}>,",
            _ when n.Name is "max_pool" or "avg_pool" && n.Numbers.Count == 6 => HasDefaultPadding(n.Numbers, 0) ? $"{n.Name}<{string.Join(",", n.Numbers.Take(4))}," : $"add_layer<{n.Name}_<{string.Join(",", n.Numbers)}>,",
            _ => n.Numbers.Count == 0 ? n.Name : $"{n.Name}<{string.Join(",", n.Numbers)},",
        };
        return name.EndsWith(',') ? name : name + "<";
    }

    private static ArchitectureNode Pool(DlibRecord r)
    {
        string kind = r.Version == "max_pool_2" ? "max_pool" : "avg_pool";
        if (r.Int("nr") == 0 && r.Int("nc") == 0)
        {
            return new ArchitectureNode(NodeKind.Layer, kind + "_everything", []);
        }

        return new ArchitectureNode(NodeKind.Layer, kind, [r.Int("nr"), r.Int("nc"), r.Int("stride_y"), r.Int("stride_x"), r.Int("padding_y"), r.Int("padding_x")]);
    }

    private static ArchitectureNode AddPrev(List<int> open, DlibReader reader, DnnStreamContent content, int i)
    {
        if (open.Count == 0)
        {
            throw reader.ErrorAt(content.StartOffset, $"cannot infer the wiring: add_prev at layer<{i}> has no open tag below it");
        }

        int id = open[^1];
        open.RemoveAt(open.Count - 1);
        return new ArchitectureNode(NodeKind.Layer, "add_prev", [id]);
    }

    private static ArchitectureNode Concat(List<int> open, int n, DlibReader reader, DnnStreamContent content, int i)
    {
        if (open.Count < n)
        {
            throw reader.ErrorAt(content.StartOffset, $"cannot infer the wiring: concat of {n} tags at layer<{i}> has only {open.Count} open tags below it");
        }

        var ids = open.GetRange(open.Count - n, n);
        open.RemoveRange(open.Count - n, n);
        return new ArchitectureNode(NodeKind.Layer, "concat", ids.Select(x => (long)x).ToList());
    }

    /// <summary>
    /// True when a con/pool node's padding (its last two numbers) is dlib's default for its window
    /// and stride: half the window along an axis with stride 1, else 0. <paramref name="first"/> is
    /// the index of the window's row count.
    /// </summary>
    internal static bool HasDefaultPadding(IReadOnlyList<long> numbers, int first)
    {
        long nr = numbers[first], nc = numbers[first + 1], sy = numbers[first + 2], sx = numbers[first + 3];
        return numbers[first + 4] == (sy != 1 ? 0 : nr / 2) && numbers[first + 5] == (sx != 1 ? 0 : nc / 2);
    }

    internal static string Describe(string loss, IReadOnlyList<ArchitectureNode> nodes, TypeTerm input) =>
        loss + "<" + Render(nodes, input.ToString(), []) + ">";
}
