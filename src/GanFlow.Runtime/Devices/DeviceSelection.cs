using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>What the user asked for on the command line (<c>--device cpu|cuda|auto</c>).</summary>
public enum DeviceRequest
{
    /// <summary>CUDA when available, otherwise the CPU.</summary>
    Auto,
    /// <summary>The CPU, always (the reproducible choice).</summary>
    Cpu,
    /// <summary>The first CUDA device (or, written <c>cuda:N</c>, device N); an error when none is available.</summary>
    Cuda,
}

/// <summary>Parses device requests and resolves them to a <see cref="torch.Device"/>.</summary>
public static class DeviceSelection
{
    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>auto</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The text names no known device.</exception>
    public static DeviceRequest Parse(string? text) =>
        (text ?? "").Trim().ToLowerInvariant() switch
        {
            "auto" => DeviceRequest.Auto,
            "cpu" => DeviceRequest.Cpu,
            "cuda" => DeviceRequest.Cuda,
            _ => throw new ArgumentException($"unknown device '{text}': expected one of cpu, cuda, auto"),
        };

    /// <summary>The device for a request.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available.</exception>
    public static torch.Device Resolve(DeviceRequest request) =>
        request switch
        {
            DeviceRequest.Cpu => torch.CPU,
            DeviceRequest.Auto => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
            DeviceRequest.Cuda => torch.cuda.is_available()
                ? torch.CUDA
                : throw new InvalidOperationException(
                    "device 'cuda' was requested but CUDA is not available (the default build links the CPU libtorch; " +
                    "use --device cpu or auto, or build with a CUDA libtorch package)"),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request, "unknown device request"),
        };

    /// <summary><see cref="Parse"/> then <see cref="Resolve"/>; <c>cuda:N</c> names CUDA device N.</summary>
    /// <exception cref="ArgumentException">The text names no known device, or a CUDA device index out of range.</exception>
    public static torch.Device FromString(string? text)
    {
        var trimmed = (text ?? "").Trim().ToLowerInvariant();
        if (trimmed.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!int.TryParse(trimmed[5..], out var index) || index < 0)
                throw new ArgumentException($"unknown device '{text}': expected cuda:N with N >= 0");
            Resolve(DeviceRequest.Cuda); // CUDA must be there
            if (index >= torch.cuda.device_count())
                throw new ArgumentException($"device '{text}': only {torch.cuda.device_count()} CUDA device(s) present");
            return torch.device(trimmed);
        }
        return Resolve(Parse(text));
    }

    /// <summary>The device each search trial trains on: with CUDA requested (<c>cuda</c>, or <c>auto</c> where CUDA is
    /// present) trial i gets GPU i mod (number of GPUs), spreading trials over the GPUs; otherwise the request as given.</summary>
    public static string ForTrial(string request, int trial)
    {
        var r = (request ?? "").Trim().ToLowerInvariant();
        if ((r == "cuda" || r == "auto") && torch.cuda.is_available() && torch.cuda.device_count() > 1)
            return $"cuda:{trial % torch.cuda.device_count()}";
        return request ?? "auto";
    }
}
