// The explorer page, one self-contained HTML file (no external scripts or fonts: it works offline) compiled into the
// assembly and served at /.
namespace Lodestar.Serving.Explorer;

public static class ExplorerPage
{
    public static string Html { get; } = Read();

    private static string Read()
    {
        using var stream = typeof(ExplorerPage).Assembly.GetManifestResourceStream("Lodestar.Serving.Explorer.html")
            ?? throw new InvalidOperationException("the explorer page is not embedded in Lodestar.Serving");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
