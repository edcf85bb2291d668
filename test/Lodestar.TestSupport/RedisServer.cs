// A real redis-server for the scale-out tests, started on a free port of 127.0.0.1 with its data in a temporary folder
// (append-only file on, as a deployment would run it) and stopped with the fixture. CI installs redis-server
// (.ci/install-prerequisites); without it these tests fail saying so.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Lodestar.TestSupport;

public sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-redis-").FullName;

    public RedisServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
            "--appendonly", "yes", "--save", "" })
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: the scale-out tests need a real one (apt-get install redis-server; .ci/install-prerequisites does)", e);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Connection = ConnectionMultiplexer.Connect($"127.0.0.1:{Port},abortConnect=true,connectTimeout=500");
                break;
            }
            catch (RedisConnectionException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public int Port { get; }

    public ConnectionMultiplexer Connection { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        Connection.Dispose();
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
