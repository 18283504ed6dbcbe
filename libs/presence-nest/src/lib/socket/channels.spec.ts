import { channelKind, hiddenRoomChannel, pageChannel, pollChannel, ratedPageChannel, ratedStatsChannel, roleChannel, roomChannel, STATS_CHANNEL, userChannel } from './channels';

describe('channelKind', () => {
  it('counts every channel that carries counts, stats or tallies as announcements, the rate classes included', () => {
    for (const channel of [pageChannel('/a'), ratedPageChannel('/a', 60000), STATS_CHANNEL, ratedStatsChannel(5000), pollChannel('p')]) {
      expect(channelKind(channel)).toBe('announcements');
    }
  });

  it('moves a room to its hidden channel and keeps a user, a role, a hidden room and the socket\'s own channel', () => {
    expect(channelKind(roomChannel('lobby'))).toBe('room');
    for (const channel of [userChannel('u1'), roleChannel('admin'), hiddenRoomChannel('lobby'), 'Xy3-socket-id']) {
      expect(channelKind(channel)).toBe('kept');
    }
  });
});
