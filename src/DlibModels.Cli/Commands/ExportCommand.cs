using System.CommandLine;
using System.Security.Cryptography;
using DlibModels.Dnn;
using DlibModels.Dnn.Format;
using DlibModels.Onnx;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models export onnx MODEL OUT.onnx [--opset N]</c>: writes a dlib network as an ONNX model.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A network file or name (face recognition net, MMOD detector, ImageNet classifier...)." };
        var output = new Argument<string>("OUT") { Description = "The .onnx file to write." };
        var opset = new Option<int>("--opset") { Description = "ONNX opset to declare (13-21).", DefaultValueFactory = _ => 17 };
        var onnx = new Command("onnx", "Export a dlib network to ONNX: input float32 NCHW RGB 0-255 (MMOD nets: the tiled pyramid image), normalisation in-graph, loss layer dropped.\nExample: dlib-models export onnx dlib_face_recognition_resnet_model_v1 face.onnx")
        {
            model, output, opset,
        };
        onnx.SetAction(parse =>
        {
            try
            {
                string path = ModelLocator.Resolve(parse.GetValue(model)!);
                DnnNetwork net = DnnLoader.LoadNetwork(path);
                string sha;
                using (FileStream f = File.OpenRead(path))
                {
                    sha = Convert.ToHexStringLower(SHA256.HashData(f));
                }

                string outPath = parse.GetValue(output)!;
                OnnxExporter.Export(net, outPath, new OnnxExportOptions { Opset = parse.GetValue(opset), SourceSha256 = sha, SourceName = Path.GetFileName(path) });
                Console.WriteLine($"{outPath}: {net.ArchitectureName ?? "network"}, {net.Layers.Count} layers, opset {parse.GetValue(opset)}");
                return 0;
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException or NotSupportedException or ArgumentOutOfRangeException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"dlib-models export onnx: {e.Message}");
                return 1;
            }
        });
        return new Command("export", "Export a dlib network to another format.") { onnx };
    }
}
