using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;

namespace DlibModels.Zoo;

/// <summary>
/// Reads what follows a network in the vehicle files (a shape predictor) and the hipsterizer
/// (a shape predictor, then the glasses and mustache images).
/// </summary>
internal static class TrailingObjects
{
    public static ShapePredictor? Read(DlibReader reader, List<ModelObject> objects, List<RgbaImage> images)
    {
        long at = reader.Position;
        ShapePredictor predictor = ShapePredictor.Read(reader);
        objects.Add(new ModelObject("shape_predictor", $"{predictor.NumParts}-part shape predictor, {predictor.NumCascades} cascades, {predictor.NumTrees} trees", at, reader.Position));
        while (!reader.AtEnd)
        {
            at = reader.Position;
            RgbaImage image = RgbaImage.Read(reader);
            images.Add(image);
            objects.Add(new ModelObject("image", $"{image.Cols}x{image.Rows} rgb_alpha_pixel matrix", at, reader.Position));
        }

        return predictor;
    }
}
