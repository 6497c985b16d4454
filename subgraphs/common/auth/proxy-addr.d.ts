// proxy-addr (Express's own dependency, which computes req.ip) ships no types: the part used here.
declare module "proxy-addr" {
  import type { IncomingMessage } from "node:http";

  type Trust = (address: string, hop: number) => boolean;

  function proxyAddr(req: IncomingMessage, trust: Trust): string;
  namespace proxyAddr {
    function compile(value: string | string[]): Trust;
  }
  export = proxyAddr;
}
