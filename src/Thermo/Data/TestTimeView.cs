namespace Thermo.Data;

/// <summary>
/// One view of a test image for test-time augmentation: mirrored left–right or not, then translated by
/// (<see cref="Dx"/>, <see cref="Dy"/>) pixels with black (byte 0) filling what moves in, the same geometry as the
/// training-time <see cref="Augmentation"/> (pad with black, crop at an offset, flip). Output pixel:
/// <c>out[c, y, x] = in[c, y − Dy, x' − Dx]</c> with <c>x' = W−1−x</c> if mirrored else <c>x</c>, and 0 outside the image.
/// So "right" (Dx = 1) moves the picture one pixel to the right.
/// </summary>
public sealed record TestTimeView(string Name, bool Mirror, int Dx, int Dy)
{
    /// <summary>The image as it is.</summary>
    public static TestTimeView Identity { get; } = new("id", false, 0, 0);

    /// <summary>The views <see cref="Parse"/> knows, by name.</summary>
    public static IReadOnlyList<TestTimeView> Known { get; } =
    [
        Identity,
        new("flip", true, 0, 0),
        new("left", false, -1, 0),
        new("right", false, 1, 0),
        new("up", false, 0, -1),
        new("down", false, 0, 1),
    ];

    /// <summary>
    /// Parses a comma-separated list of view names (e.g. "id,flip"). A name may repeat: each entry is its own inference
    /// with its own chains, so "id,id" is the control that separates a second chain from a second view. Throws with
    /// the known names on anything else.
    /// </summary>
    public static IReadOnlyList<TestTimeView> Parse(string text, string option = "--tta")
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length > MaxViews) throw new ArgumentException($"{option}: {names.Length} views; at most {MaxViews}");
        var views = new List<TestTimeView>();
        foreach (var name in names)
        {
            var view = Known.FirstOrDefault(v => v.Name == name)
                ?? throw new ArgumentException($"{option}: unknown view '{name}'; the views are {string.Join(", ", Known.Select(v => v.Name))} (comma-separated, e.g. id,flip)");
            views.Add(view);
        }
        return views;
    }

    /// <summary>Most views per image: each is a whole inference, so beyond this the cost outgrows any use.</summary>
    public const int MaxViews = 64;

    /// <summary>True when <paramref name="views"/> shows every image once, as it is (null counts as that: no views asked for).</summary>
    public static bool AsIs([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] IReadOnlyList<TestTimeView>? views) => views is null || views is [{ IsIdentity: true }];

    /// <summary>True when every pixel stays where it is.</summary>
    public bool IsIdentity => !Mirror && Dx == 0 && Dy == 0;

    /// <summary>Every image of <paramref name="data"/> seen through this view, as a new dataset (the same object for the identity).</summary>
    public LabeledImages Apply(LabeledImages data)
    {
        if (IsIdentity) return data;
        int h = data.Height, w = data.Width, plane = h * w;
        var pixels = new byte[data.Pixels.Length];
        for (int n = 0; n < data.Count; n++)
            for (int c = 0; c < data.Channels; c++)
            {
                var src = data.Pixels.AsSpan((n * data.Channels + c) * plane, plane);
                var dst = pixels.AsSpan((n * data.Channels + c) * plane, plane);
                for (int y = 0; y < h; y++)
                {
                    int sy = y - Dy;
                    if ((uint)sy >= (uint)h) continue;
                    for (int x = 0; x < w; x++)
                    {
                        int sx = (Mirror ? w - 1 - x : x) - Dx;
                        if ((uint)sx < (uint)w) dst[y * w + x] = src[sy * w + sx];
                    }
                }
            }
        return new LabeledImages(data.Name, data.Split, data.Channels, h, w, pixels, data.Labels, data.ClassNames, data.Sources);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
