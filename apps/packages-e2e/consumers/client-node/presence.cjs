// @presently/client required from a CommonJS script. Usage: node presence.cjs <server url> <page> <room>
const { createPresenceClient } = require('@presently/client');
const { filter, firstValueFrom } = require('rxjs');

async function main() {
  const [url, page, room] = process.argv.slice(2);
  const client = createPresenceClient({ url, transports: ['websocket'] });
  const entered = await client.enterPage(page);
  // Both scripts run at once: each waits until it sees the other.
  const counts = await firstValueFrom(client.pageCount$(page).pipe(filter((c) => c.viewers === 2)));
  const lobby = client.room(room);
  const joined = await lobby.join({ name: 'CommonJS script' });
  await firstValueFrom(lobby.members$.pipe(filter((list) => list.length === 2)));
  // Each says it has seen the other, and leaves only once the other has said so too: neither leaves
  // before the other saw it. Listened to before saying it: the other may answer and leave at once.
  const otherSaw = firstValueFrom(lobby.members$.pipe(filter((list) => list.some((m) => m.userId !== joined.self.userId && m.status === 'seen'))));
  await lobby.update({ status: 'seen' });
  const members = await otherSaw;
  process.stdout.write(
    `${JSON.stringify({ module: typeof require === 'undefined' ? 'esm' : 'cjs', entered: entered.viewers >= 1, viewers: counts.viewers, self: joined.self.name, members: members.map((m) => m.name).sort() })}\n`,
  );
  await lobby.leave();
  await client.leavePage(page);
  client.close();
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
