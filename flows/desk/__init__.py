"""The reviewer's desk (`medpress serve`): a queue, a post page and a decision form in the browser."""
