using OrleansFaas.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFaasGateway();
var app = builder.Build();
app.MapFaasGateway();
await app.RunAsync();
