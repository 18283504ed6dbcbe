// @presently/client imported from an ES module. Usage: node presence.mjs <server url> <page> <room>
import { createPresenceClient } from '@presently/client';
import { filter, firstValueFrom } from 'rxjs';

const [url, page, room] = process.argv.slice(2);
const client = createPresenceClient({ url, transports: ['websocket'] });
const entered = await client.enterPage(page);
// Both scripts run at once: each waits until it sees the other.
const counts = await firstValueFrom(client.pageCount$(page).pipe(filter((c) => c.viewers === 2)));
const lobby = client.room(room);
const joined = await lobby.join({ name: 'ESM script' });
const members = await firstValueFrom(lobby.members$.pipe(filter((list) => list.length === 2)));
process.stdout.write(
  `${JSON.stringify({ module: typeof require === 'undefined' ? 'esm' : 'cjs', entered: entered.viewers >= 1, viewers: counts.viewers, self: joined.self.name, members: members.map((m) => m.name).sort() })}\n`,
);
await lobby.leave();
await client.leavePage(page);
client.close();
