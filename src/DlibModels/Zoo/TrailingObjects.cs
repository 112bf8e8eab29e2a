using DlibModels.Imaging;
using DlibModels.Serialization;

namespace DlibModels.Zoo;

/// <summary>Reads what follows a network in the vehicle and hipsterizer files.</summary>
internal static class TrailingObjects
{
    public static void Read(DlibReader reader, List<ModelObject> objects, List<RgbaImage> images)
    {
        while (!reader.AtEnd)
        {
            long at = reader.Position;
            RgbaImage image = RgbaImage.Read(reader);
            images.Add(image);
            objects.Add(new ModelObject("image", $"{image.Cols}x{image.Rows} rgb_alpha_pixel matrix", at, reader.Position));
        }
    }
}
