using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Routing;

/// <summary>
/// The HTTP client YARP builds for the distributors' cluster, which every order is sent through
/// (Purchases/OrderSender.cs), keeps the rules of every distributor call (<see cref="DistributorHttp"/>):
/// a redirect is an answer, never followed with the order. YARP's own default follows none either;
/// this keeps the purchase path from drifting.
/// </summary>
internal sealed class DistributorForwarderClientFactory(ILogger<ForwarderHttpClientFactory> logger) : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var rules = DistributorHttp.CreateHandler();
        handler.AllowAutoRedirect = rules.AllowAutoRedirect;
        handler.UseCookies = rules.UseCookies;
        handler.MaxResponseHeadersLength = rules.MaxResponseHeadersLength;
    }
}
