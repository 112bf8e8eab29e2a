using System.CommandLine;
using DlibModels.Cli.Output;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary>
/// <c>dlib-models layers MODEL IMAGES...</c>: every layer's output statistics (shape, mean, std, min,
/// max, sum, first 8 values) like dlibref's <c>layers</c>, so a mismatch is found at the first layer that differs.
/// </summary>
internal static class LayersCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A network file or name (MMOD detector, face recognition net, ImageNet classifier)." };
        var images = new Argument<string[]>("IMAGES") { Description = "Images (for fixed-size nets, already of the net's input size, e.g. a 150x150 chip).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("layers", "Dump every layer's output statistics as JSON Lines, like dlibref's layers command.\nExample: dlib-models layers mmod_human_face_detector photo.jpg")
        {
            model, images,
        };
        command.SetAction(parse =>
        {
            DnnNetwork net;
            try
            {
                net = DnnLoader.LoadNetwork(ModelLocator.Resolve(parse.GetValue(model)!));
            }
            catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException)
            {
                Console.Error.WriteLine($"dlib-models layers: {e.Message}");
                return 1;
            }

            using var stdout = Console.OpenStandardOutput();
            int failures = 0;
            foreach (string path in ImageInputs.Expand(parse.GetValue(images)!))
            {
                try
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    IReadOnlyList<LayerStatistics> stats;
                    if (net.Loss is MmodLoss)
                    {
                        stats = new MmodDetector(net).LayerStatistics(img);
                    }
                    else
                    {
                        using Tensor input = InputTensors.FromRgbImages(net.Input, [img]);
                        stats = new DnnExecutor(net).ForwardWithStatistics(input, out Tensor output);
                        output.Dispose();
                    }

                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteString("image", path);
                        JsonFields.Decoded(w, img);
                        w.WriteNumber("upsampled", 0);
                        w.WriteStartArray("layers");
                        foreach (LayerStatistics s in stats)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("index", s.Index);
                            w.WriteString("layer", s.Layer);
                            w.WriteStartArray("shape");
                            foreach (int d in s.Shape)
                            {
                                w.WriteNumberValue(d);
                            }

                            w.WriteEndArray();
                            w.WriteNumber("mean", s.Mean);
                            w.WriteNumber("std", s.Std);
                            w.WriteNumber("min", s.Min);
                            w.WriteNumber("max", s.Max);
                            w.WriteNumber("sum", s.Sum);
                            w.WriteStartArray("first8");
                            foreach (float f in s.First8)
                            {
                                w.WriteNumberValue(f);
                            }

                            w.WriteEndArray();
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    });
                }
                catch (Exception e) when (e is ImageDecodeException or ArgumentException)
                {
                    Console.Error.WriteLine($"dlib-models layers: {e.Message}");
                    failures++;
                }
            }

            return failures > 0 ? 2 : 0;
        });
        return command;
    }
}
