using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>Writes a <see cref="DnnStreamContent"/> back in dlib's layout, byte for byte.</summary>
internal static class DnnStreamWriter
{
    public static void Write(DlibWriter writer, DnnStreamContent content)
    {
        writer.WriteInt(content.LossWrapperVersion);
        RecordCodec.WriteRecord(writer, content.Loss);
        WriteChain(writer, content.Chain, content.Input);
    }

    /// <summary>
    /// Writes a nesting the way dlib's recursive serialize calls do: each wrapper's version on the way
    /// in (a repeat writes its copies completely at that point), the input (nothing inside a repeated
    /// block), then each wrapper's details and state on the way out.
    /// </summary>
    private static void WriteChain(DlibWriter writer, IReadOnlyList<DnnChainItem> chain, DlibRecord? input)
    {
        foreach (DnnChainItem item in chain)
        {
            switch (item)
            {
                case WrapperEntry w:
                    writer.WriteInt(w.Version);
                    break;
                case RepeatEntry r:
                    writer.WriteInt(r.Version);
                    writer.WriteInt(r.Blocks.Count);
                    foreach (IReadOnlyList<DnnChainItem> block in r.Blocks)
                    {
                        WriteChain(writer, block, null);
                    }

                    break;
            }
        }

        if (input is not null)
        {
            RecordCodec.WriteRecord(writer, input);
        }

        for (int i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i] is not WrapperEntry w)
            {
                continue;
            }

            if (w.Details is not null)
            {
                RecordCodec.WriteRecord(writer, w.Details);
            }

            if (w.State is not null)
            {
                RecordCodec.WriteFields(writer, w.State.Fields);
            }
        }
    }
}
