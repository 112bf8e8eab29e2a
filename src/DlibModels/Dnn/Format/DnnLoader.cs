using DlibModels.Dnn.Architecture;
using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>
/// Loads dlib DNN files (<c>.dat</c>/<c>.dnn</c>, plain or <c>.bz2</c>) without the network's C++ type
/// compiled in. The file gives every layer and parameter but not the tag/skip wiring, which comes from
/// an architecture: a dlib type expression given by the caller, one of the
/// <see cref="BuiltInArchitectures"/> (the dlib-models nets), or, for other files, an inference from
/// dlib's residual conventions that is accepted only when every tensor shape agrees.
/// </summary>
public static class DnnLoader
{
    /// <summary>The built-in architectures, each parsed on first use and then kept (architectures are immutable).</summary>
    private static readonly (string Name, Lazy<NetArchitecture> Arch)[] ParsedBuiltIns = ParseLazily();

    /// <summary>Loads the network at the start of <paramref name="path"/> (trailing objects are ignored).</summary>
    /// <param name="path">The model file.</param>
    /// <param name="architecture">A dlib type expression, or null to use the built-ins or inference.</param>
    /// <exception cref="DlibFormatException">The file is not a readable dlib network.</exception>
    public static DnnNetwork LoadNetwork(string path, string? architecture = null)
    {
        byte[] bytes = ModelFile.ReadAllBytes(path);
        DnnNetwork network = Read(new DlibReader(bytes, path), architecture).Network;
        network.ContentSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        return network;
    }

    /// <summary>Reads one network at the reader's position, leaving the reader just past it.</summary>
    /// <param name="reader">The stream.</param>
    /// <param name="architecture">A dlib type expression, or null to use the built-ins or inference.</param>
    /// <returns>The typed network and the record-level content (for writing back).</returns>
    public static (DnnNetwork Network, DnnStreamContent Content) Read(DlibReader reader, string? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long start = reader.Position;
        if (architecture is not null)
        {
            NetArchitecture arch;
            try
            {
                arch = NetArchitecture.FromTypeExpression(architecture);
            }
            catch (ArchitectureException e)
            {
                throw new DlibFormatException(reader.SourceName, start, "the architecture given", e.Message);
            }

            DnnStreamContent content = DnnStreamReader.Read(reader, arch.Chain);
            return (Bind(reader, content, arch), content);
        }

        DnnStreamContent inferred = DnnStreamReader.Read(reader);
        var errors = new List<string>();
        foreach ((string name, Lazy<NetArchitecture> lazy) in ParsedBuiltIns)
        {
            NetArchitecture arch = lazy.Value;
            if (!SameKinds(arch, inferred))
            {
                continue;
            }

            try
            {
                return (NetworkBinder.Bind(reader.SourceName, inferred, arch, name, strictFilters: true), inferred);
            }
            catch (DlibFormatException e)
            {
                errors.Add($"{name}: {e.Problem}");
            }
        }

        NetArchitecture guess = ArchitectureInference.Infer(inferred, reader);
        try
        {
            return (Bind(reader, inferred, guess, "inferred"), inferred);
        }
        catch (DlibFormatException e)
        {
            throw new DlibFormatException(
                reader.SourceName,
                start,
                "the network",
                $"no built-in architecture fits ({(errors.Count == 0 ? "none has this layer structure" : string.Join("; ", errors))}) and inferring the tag/skip wiring failed ({e.Problem}); give the network's dlib type expression (e.g. inspect --arch \"using net_type = loss_metric<...>;\")");
        }
    }

    private static (string Name, Lazy<NetArchitecture> Arch)[] ParseLazily()
    {
        var parsed = new (string, Lazy<NetArchitecture>)[BuiltInArchitectures.All.Count];
        for (int i = 0; i < parsed.Length; i++)
        {
            (string name, string text) = BuiltInArchitectures.All[i];
            parsed[i] = (name, new Lazy<NetArchitecture>(() => NetArchitecture.FromTypeExpression(text)));
        }

        return parsed;
    }

    /// <summary>True when the architecture nests wrappers and repeats exactly as the file does.</summary>
    private static bool SameKinds(NetArchitecture arch, DnnStreamContent content) =>
        arch.Nodes.Count == content.Wrappers.Count && SameStructure(arch.Chain, content.Chain);

    private static bool SameStructure(IReadOnlyList<ArchitectureItem> arch, IReadOnlyList<DnnChainItem> file)
    {
        if (arch.Count != file.Count)
        {
            return false;
        }

        for (int i = 0; i < arch.Count; i++)
        {
            bool same = (arch[i], file[i]) switch
            {
                (ArchitectureNode n, WrapperEntry w) => (n.Kind == NodeKind.Layer) == (w.Kind == WrapperKind.Layer),
                (ArchitectureRepeat r, RepeatEntry e) => r.Count == e.Blocks.Count && e.Blocks.All(b => SameStructure(r.Block, b)),
                _ => false,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static DnnNetwork Bind(DlibReader reader, DnnStreamContent content, NetArchitecture arch, string? name = null) =>
        NetworkBinder.Bind(reader.SourceName, content, arch, name ?? "given");
}
