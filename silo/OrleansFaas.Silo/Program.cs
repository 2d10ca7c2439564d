using Microsoft.Extensions.Hosting;
using OrleansFaas.Grains.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.AddFaasSilo();
await builder.Build().RunAsync();
