<?php
/*
 * Plugin Name: medpress content hash
 * Description: Lets medpress store the content hash of the approved version it published in the post meta
 *              key medpress_content_hash (readable and writable over the REST API by users who may edit posts).
 *              Optional: medpress publishes to a WordPress without it and keeps its own publish ledger; with it,
 *              the hash is also visible on the site itself.
 * Version: 1.0
 * Requires at least: 5.6
 * License: MIT
 *
 * Install: copy this file to wp-content/mu-plugins/ (must-use: always active, cannot be switched off in the
 * admin), or to wp-content/plugins/ and activate it under Plugins. See tools/wordpress/plugin/README.md.
 */

if (!defined('ABSPATH')) {
    exit;
}

add_action('init', function () {
    register_post_meta('post', 'medpress_content_hash', [
        'show_in_rest' => true,
        'single' => true,
        'type' => 'string',
        'description' => 'sha256 of the medpress source version that compliance approved and medpress published',
        'auth_callback' => function () {
            return current_user_can('edit_posts');
        },
    ]);
});
