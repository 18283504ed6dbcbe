/** A blog post of the demo: static content, keyed by its slug. */
export interface Post {
  slug: string;
  title: string;
  summary: string;
  author: string;
  /** ISO date. */
  date: string;
  minutes: number;
  body: readonly string[];
}

export const POSTS: readonly Post[] = [
  {
    slug: 'hello-presence',
    title: 'Hello, presence',
    summary: 'Why a page that knows who else is reading feels alive, and what it takes to build one.',
    author: 'Ada Park',
    date: '2025-03-04',
    minutes: 3,
    body: [
      'A page that says "12 reading now" is a small thing. It tells you the page is alive, that other people found it worth their time, and that you are not alone on the internet at three in the morning.',
      'Presence is the name for that feeling: knowing who else is here, right now. Chat apps have had it for decades; documents, dashboards and blogs mostly have not.',
      'Open this post in another tab or another browser and watch the badge above change. Close the tab and it goes back down a few seconds later.',
    ],
  },
  {
    slug: 'counting-tabs',
    title: 'Counting tabs, not clicks',
    summary: 'Viewers are browsers, connections are sockets: two numbers that answer different questions.',
    author: 'Sam Ortiz',
    date: '2025-03-11',
    minutes: 4,
    body: [
      'A visitor with three tabs open on the same article is one reader, not three. Presently counts viewers by a browser id kept in local storage, and counts every socket as a connection.',
      'Viewers answer "how many people are reading this?". Connections answer "how much load is this page putting on the server?". Both are useful; only one belongs on a badge.',
      'This demo gives every tab its own id, so that a single browser is enough to try things out.',
    ],
  },
  {
    slug: 'grace-period',
    title: 'The grace period',
    summary: 'A reload should not look like someone leaving and coming back. Here is how Presently hides it.',
    author: 'Ada Park',
    date: '2025-03-19',
    minutes: 5,
    body: [
      'When a connection drops without saying goodbye, the server holds its presence for a few seconds. If the same browser comes back in time, it takes over where it left off and nobody hears a thing.',
      'Without it, every reload would make a counter dip and rise, and every chat room would fill up with "left" and "joined" lines for people who never went anywhere.',
      'Explicit leaves are different: navigating away from a post leaves it at once.',
    ],
  },
  {
    slug: 'coalescing',
    title: 'Coalescing, or how to stay calm under load',
    summary: 'A thousand readers arriving at once should cost the server a handful of messages, not a million.',
    author: 'Lin Chen',
    date: '2025-04-02',
    minutes: 6,
    body: [
      'When a post goes viral, its counter changes many times a second. Sending every change to every reader would grow with the square of the audience.',
      'Presently sends a change on a quiet page at once, then merges further changes for a short interval and sends only the last value. Readers see the exact number, a fraction of a second late, and the server stays calm.',
    ],
  },
  {
    slug: 'rooms-and-people',
    title: 'Rooms are for people',
    summary: 'Pages count browsers; rooms count users, with a name, a status and a little bit of metadata.',
    author: 'Sam Ortiz',
    date: '2025-04-15',
    minutes: 4,
    body: [
      'A room is where presence becomes social: a list of names with a dot beside each, green for online, amber for away, red for busy.',
      'A signed-in user on a laptop and a phone is one member of a room, with two connections. The chat page of this demo lets you pick a name and a status and watch others do the same.',
    ],
  },
];

export function findPost(slug: string): Post | undefined {
  return POSTS.find((post) => post.slug === slug);
}

/** The presence page key of a post. */
export const postPath = (slug: string) => `/blog/${slug}`;
