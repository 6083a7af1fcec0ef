using Thermo.Data;

namespace Thermo.Training;

/// <summary>
/// Checks, before an evaluation starts, that a dataset fits a model: its images have the model's input shape and
/// every label is one of the model's classes. Without it a label of 255 silently made a "256-class" problem and
/// images of another size failed deep inside a convolution.
/// </summary>
public static class DatasetCompatibility
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the model and the data when <paramref name="data"/> does not fit a
    /// model <paramref name="model"/> with input <paramref name="input"/> ([C, H, W], or [features] for the pixels of
    /// one image) and <paramref name="classes"/> classes.
    /// </summary>
    public static void Require(LabeledImages data, string model, int[] input, int classes)
    {
        string images = $"{data.Name} {data.Split} images";
        bool fits = input.Length == 3
            ? input[0] == data.Channels && input[1] == data.Height && input[2] == data.Width
            : input.Length == 1 && input[0] == data.ImageSize;
        if (!fits)
            throw new InvalidDataException($"{images} are {data.Channels}x{data.Height}x{data.Width}, but model '{model}' takes [{string.Join(", ", input)}]; evaluate it on the data it was trained for");
        var labels = data.Labels;
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classes)
                throw new InvalidDataException($"{images}: label {labels[i]} of example {i} is outside model '{model}''s {classes} classes (0..{classes - 1}); the labels do not belong to this model, or the file is damaged");
    }
}
