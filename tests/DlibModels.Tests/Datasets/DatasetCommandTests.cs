using DlibModels.Cli.Commands;
using DlibModels.Datasets;
using DlibModels.Landmarks;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Datasets;

public sealed class DatasetCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"dataset-cli-{Guid.NewGuid():N}");

    public DatasetCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ConvertSplitAndTrainThroughTheCommandLine()
    {
        string src = TestPaths.SharedFile("datasets/faces5/training.xml");
        string conv = Path.Combine(_dir, "hog.xml");
        Assert.Equal(0, DatasetCommand.Create().Parse(["convert", src, "--out", conv, "--label", "hog"]).Invoke());
        ImageDataset d = ImglabXml.Load(conv);
        Assert.Equal(98, d.Images.Sum(i => i.Boxes.Count));
        Assert.True(File.Exists(d.ResolvePath(d.Images[0])));

        Assert.Equal(0, DatasetCommand.Create().Parse(["split", conv, "--train-fraction", "0.5"]).Invoke());
        Assert.Equal(27, ImglabXml.Load(Path.Combine(_dir, "hog_train.xml")).Images.Count);
        Assert.Equal(26, ImglabXml.Load(Path.Combine(_dir, "hog_test.xml")).Images.Count);

        string model = Path.Combine(_dir, "sp.dat");
        Assert.Equal(0, TrainCommand.Create().Parse(["shape-predictor", Path.Combine(_dir, "hog_train.xml"), "--out", model, "--cascade-depth", "2", "--trees-per-level", "5", "--oversampling", "2", "--json"]).Invoke());
        ShapePredictor sp = ShapePredictor.Load(model);
        Assert.Equal(10, sp.NumTrees);
        Assert.Equal(0, TestCommand.Create().Parse(["shape-predictor", model, Path.Combine(_dir, "hog_test.xml"), "--json"]).Invoke());
        Assert.Equal(1, TrainCommand.Create().Parse(["shape-predictor", conv, "--out", model, "--nu", "2"]).Invoke());
    }
}
