using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>Writes a <see cref="DnnStreamContent"/> back in dlib's layout, byte for byte.</summary>
internal static class DnnStreamWriter
{
    public static void Write(DlibWriter writer, DnnStreamContent content)
    {
        writer.WriteInt(content.LossWrapperVersion);
        RecordCodec.WriteRecord(writer, content.Loss);
        foreach (WrapperEntry w in content.Wrappers)
        {
            writer.WriteInt(w.Version);
        }

        RecordCodec.WriteRecord(writer, content.Input);
        for (int i = content.Wrappers.Count - 1; i >= 0; i--)
        {
            WrapperEntry w = content.Wrappers[i];
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
