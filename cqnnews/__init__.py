"""cqnnews: crawls the news centre of www.cqn.com.cn into JSON Lines feeds."""

__version__ = "0.1.0"
