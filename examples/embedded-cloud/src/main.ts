#!/usr/bin/env -S npx tsx
// A cloud inside this process: three hosts, three servers, then gone.
import { bootServers } from "./boot-servers.js";

for (const line of await bootServers(["web", "db", "cache"])) console.log(line);
