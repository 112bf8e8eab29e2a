using System.Runtime.CompilerServices;
using DlibModels.Datasets;
using Xunit;

namespace DlibModels.Tests.Fuzz;

/// <summary>Inputs found by fuzz/ (AFL++ + SharpFuzz) that once escaped with an undocumented exception.</summary>
public class FuzzRegressionTests
{
    private static string Input(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "inputs", name);

    [Fact]
    public void ImglabUndecodableStartIsAFormatError()
    {
        byte[] data = File.ReadAllBytes(Input("imglab-bad-encoding.xml"));
        using var ms = new MemoryStream(data);
        var e = Assert.Throws<ImglabFormatException>(() => ImglabXml.Read(ms, "fuzz.xml"));
        Assert.Contains("fuzz.xml", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImglabXmlDeclarationWithABrokenEncodingSwitchIsAFormatError()
    {
        byte[] data = File.ReadAllBytes(Input("imglab-xml-declaration-encoding.xml"));
        using var ms = new MemoryStream(data);
        var e = Assert.Throws<ImglabFormatException>(() => ImglabXml.Read(ms, "fuzz.xml"));
        Assert.Contains("fuzz.xml", e.Message, StringComparison.Ordinal);
    }
}
