"""Which of the 13 channels are reached by a URL and which are a place to go to."""

from catalogs import vocabulary

# Channels whose evidence is a web address (政府公报 in its e-edition; 精准推送 where it has one).
ONLINE_CHANNELS: frozenset[str] = frozenset({"政府网站", "政府公报", "两微一端", "精准推送"})
# Channels whose evidence is a place, optionally with a dated photo.
OFFLINE_CHANNELS: frozenset[str] = frozenset(
    {"公开查阅点", "政务服务中心", "便民服务站", "社区/企事业单位/村公示栏(电子屏)"}
)
CHANNEL_CHOICES = [(channel, channel) for channel in vocabulary.CHANNELS]


def is_url(text: str) -> bool:
    lowered = (text or "").strip().lower()
    return lowered.startswith(("http://", "https://"))
