using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class OrderValidationTests
{
    [Fact]
    public void Problem_StatusTheContractDoesNotDefine_NamesTheContractNotARepositoryPath()
    {
        var order = new DistributorOrder("ord_1", "shipped", 1, 10_000, null, "pur_1");

        var problem = OrderValidation.Problem(order, "pur_1", 1, knownOrderId: null);

        Assert.Equal("status 'shipped' is not one the Distributor API (version 1) defines", problem);
    }

    [Fact]
    public void Problem_IssuedWithItsSerials_None()
    {
        var order = new DistributorOrder("ord_1", DistributorOrderStatus.Issued, 1, 10_000, ["EM-1"], "pur_1");

        Assert.Null(OrderValidation.Problem(order, "pur_1", 1, knownOrderId: null));
    }
}
