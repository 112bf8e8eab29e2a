using DlibModels.Imaging;

namespace DlibModels.Detection.Mmod;

/// <summary>One detection of an MMOD (CNN) detector, dlib's <c>mmod_rect</c>.</summary>
/// <param name="Rect">The box in image coordinates (inclusive, rounded like dlib).</param>
/// <param name="Confidence">The detection confidence (the network's score at that location).</param>
/// <param name="Label">The label of the detector window that fired (empty for the face model).</param>
public sealed record MmodDetection(Rectangle Rect, double Confidence, string Label);
