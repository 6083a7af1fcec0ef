using Thermo.Tensors;

namespace Thermo.Data;

/// <summary>
/// A batch of images as a float32 NCHW tensor with its labels. The tensor is plain memory (not from any
/// <see cref="TensorScope"/>) and belongs to the consumer: it stays valid after the step's scope ends. Disposing
/// the batch hands its buffers back to the loader for reuse; after that neither <see cref="Images"/> nor
/// <see cref="Labels"/> may be touched. A batch that is never disposed is simply collected.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    readonly DataLoader? owner;
    bool disposed;

    internal ImageBatch(DataLoader? owner, Tensor images, int[] labels, int[] indices, int epoch, int index)
    {
        this.owner = owner;
        Images = images;
        Labels = labels;
        Indices = indices;
        Epoch = epoch;
        Index = index;
    }

    /// <summary>Images [B, C, H, W], normalised.</summary>
    public Tensor Images { get; }
    /// <summary>Class index of each image.</summary>
    public int[] Labels { get; }
    /// <summary>Dataset index of each image.</summary>
    public int[] Indices { get; }
    /// <summary>Epoch this batch belongs to.</summary>
    public int Epoch { get; }
    /// <summary>Position of this batch within its epoch.</summary>
    public int Index { get; }
    /// <summary>Number of images B.</summary>
    public int Count => Labels.Length;

    /// <summary>Returns the buffers to the loader's pool.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        owner?.Recycle(this);
    }
}
